// Where Ultralytics looks for an image's labels (`img2label_paths`): the last `images`
// folder of the image's path becomes `labels`, the extension becomes `.txt`. Writer and
// reader both use it, so a dataset folder that is itself named `images` still pairs.
import { pathStem } from "@pictograph/schema";

export function labelPath(imageMember: string): string {
  const segments = pathStem(imageMember).split("/");
  const at = segments.lastIndexOf("images", segments.length - 2);
  if (at >= 0) segments[at] = "labels";
  return `${segments.join("/")}.txt`;
}
