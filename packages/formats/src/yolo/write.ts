// yolo (D8, FORMATS.md §3): the Ultralytics detection layout — data.yaml, images/<split>/
// <path>, labels/<split>/<path stem>.txt (empty for an image without boxes) and classes.txt
// for darknet tools. Pure and streaming: one pass per split, one image in memory at a time.
import type { Annotation, DatasetImage, Split } from "@pictograph/schema";
import { exportClasses, type ExportClasses } from "../core/class-list";
import { enclosingBox } from "../core/geometry";
import { countSkip, readmeText } from "../core/readme";
import { annotationSelector, type AnnotationSelector } from "../core/select-annotations";
import type { ExportSource, ExportSummary, FormatWriter, SplitCounts } from "../core/types";
import { dataYamlText } from "./data-yaml";
import { labelPath } from "./label-path";

type SplitDir = "train" | "val" | "test";

/** Folders in use and which images each holds. Images without a split go to train: it is
 * what Ultralytics trains on, and it keeps every image in the export. */
export function yoloFolders(
  counts: SplitCounts,
): Array<{ dir: SplitDir; splits: Array<Split | null> }> {
  const folders: Array<{ dir: SplitDir; splits: Array<Split | null> }> = [];
  if (counts.train + counts.none > 0) folders.push({ dir: "train", splits: ["train", null] });
  if (counts.val > 0) folders.push({ dir: "val", splits: ["val"] });
  if (counts.test > 0) folders.push({ dir: "test", splits: ["test"] });
  return folders;
}

export const writeYolo: FormatWriter = async function* (source: ExportSource) {
  const exported = exportClasses(source.classes, source.options.class_filter);
  const summary: ExportSummary = { images: 0, annotations: 0, skipped: {}, imageMembers: 0 };
  const select = annotationSelector(source.classes, exported, summary.skipped);
  const folders = yoloFolders(source.splitCounts);
  const has = (dir: SplitDir) => folders.some((f) => f.dir === dir);
  const train = has("train")
    ? "images/train"
    : has("val")
      ? "images/val"
      : has("test")
        ? "images/test"
        : "images/train";
  const names = exported.classes.map((c) => c.name);

  yield {
    type: "file",
    path: "data.yaml",
    body: dataYamlText({
      comment: `Ultralytics YOLO dataset exported by Pictograph from "${source.dataset.name}"; paths are relative to this file`,
      train,
      val: has("val") ? "images/val" : train,
      test: has("test") ? "images/test" : null,
      names,
    }),
  };
  yield { type: "file", path: "classes.txt", body: names.map((n) => `${n}\n`).join("") };

  for (const folder of folders) {
    for (const split of folder.splits) {
      for await (const image of source.images({ split })) {
        summary.images++;
        const labels = labelText(image, select, exported, summary.skipped);
        summary.annotations += labels.lines;
        yield {
          type: "file",
          path: labelPath(`images/${folder.dir}/${image.path}`),
          body: labels.text,
        };
        if (source.options.include_images) {
          summary.imageMembers++;
          yield { type: "image", path: `images/${folder.dir}/${image.path}`, image };
        }
      }
    }
  }

  yield {
    type: "file",
    path: "README.txt",
    body: readmeText({
      format: "YOLO (Ultralytics detection)",
      source,
      classes: exported.classes,
      indexBase: 0,
      layout: [
        "data.yaml: train/val/test folders (relative to data.yaml, no path key), nc and names",
        "classes.txt: one class name a line, line n = class n (darknet tools)",
        "labels/<split>/<image path without extension>.txt: one line per box; empty when the image has none",
        source.options.include_images
          ? "images/<split>/<image path>: the image files"
          : "images: not included in this export",
        ...splitNote(source.splitCounts),
      ],
      conventions: [
        "line: class cx cy w h, centre and size divided by the image width/height, 6 decimals, clamped to [0, 1]",
        "polygons are written as their enclosing box; polylines and keypoints have no YOLO form and are skipped",
      ],
      summary,
    }),
  };
  return summary;
};

function splitNote(counts: SplitCounts): string[] {
  if (counts.train + counts.val + counts.test === 0)
    return ["no image has a split: all are in train, and val points at train too"];
  return counts.none > 0 ? [`${counts.none} images without a split are in train`] : [];
}

/** Centre or size over the image's, clamped to [0, 1], at 6 decimals. */
const unit = (value: number) => Math.min(1, Math.max(0, value)).toFixed(6);
const ZERO = unit(0);

function labelText(
  image: DatasetImage,
  select: AnnotationSelector,
  exported: ExportClasses,
  skipped: Record<string, number>,
): { text: string; lines: number } {
  let text = "";
  let lines = 0;
  const { width: W, height: H } = image;
  for (const a of select(image)) {
    const box = boxOf(a);
    if (!box) {
      countSkip(skipped, `${a.type}: not expressible in yolo`);
      continue;
    }
    const w = unit(box.w / W);
    const h = unit(box.h / H);
    if (w === ZERO || h === ZERO) {
      countSkip(skipped, `${a.type}: smaller than yolo's precision (a millionth of the image)`);
      continue;
    }
    text += `${exported.indexOf(a.class_name)} ${unit((box.x + box.w / 2) / W)} ${unit((box.y + box.h / 2) / H)} ${w} ${h}\n`;
    lines++;
  }
  return { text, lines };
}

function boxOf(a: Annotation) {
  if (a.type === "bbox") return a.bbox;
  if (a.type === "polygon") return enclosingBox(a.polygon.paths[0]!);
  return null;
}
