// The annotations of one image a writer may write: class_filter applied (D1), geometry
// clipped (D4), and every annotation left out counted by reason. Pure.
import type { Annotation, ClassDef, DatasetImage } from "@pictograph/schema";
import type { ExportClasses } from "./class-list";
import { clipAnnotation } from "./geometry";
import { countSkip } from "./readme";

export const FILTERED_OUT = "class not in class_filter";
export const UNKNOWN_CLASS = "class not in the dataset's class list";

export type AnnotationSelector = (image: DatasetImage) => Annotation[];

export function annotationSelector(
  all: ClassDef[],
  exported: ExportClasses,
  skipped: Record<string, number>,
): AnnotationSelector {
  const known = new Set(all.map((c) => c.name));
  return (image) => {
    const kept: Annotation[] = [];
    for (const annotation of image.annotations) {
      if (exported.indexOf(annotation.class_name) === undefined) {
        countSkip(skipped, known.has(annotation.class_name) ? FILTERED_OUT : UNKNOWN_CLASS);
        continue;
      }
      const clipped = clipAnnotation(annotation, image.width, image.height);
      if ("dropped" in clipped) {
        countSkip(skipped, clipped.dropped);
        continue;
      }
      if (clipped.droppedHoles)
        countSkip(
          skipped,
          "polygon hole: fewer than 3 points inside the image",
          clipped.droppedHoles,
        );
      kept.push(clipped.annotation);
    }
    return kept;
  };
}
