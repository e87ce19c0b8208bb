// Test support: what a lossless format must give back — the source's selected images with
// D1 (class_filter) and D4 (clipping) applied, and nothing else changed.
import type { ClassDef, DatasetImage, ExportOptions } from "@pictograph/schema";
import { exportClasses } from "./core/class-list";
import { annotationSelector } from "./core/select-annotations";
import type { ImportedImage, ReadResult } from "./core/types";

export function expectedAfterExport(
  images: DatasetImage[],
  classes: ClassDef[],
  options: Pick<ExportOptions, "class_filter" | "status_filter">,
): { classes: ClassDef[]; images: DatasetImage[] } {
  const exported = exportClasses(classes, options.class_filter);
  const select = annotationSelector(classes, exported, {});
  return {
    classes: exported.classes,
    images: images
      .filter((i) => options.status_filter === "all" || i.status === options.status_filter)
      .map((image) => ({ ...image, annotations: select(image) })),
  };
}

/** Reads every image of a result, so its problem list is complete. */
export async function readAll(result: ReadResult): Promise<ImportedImage[]> {
  const out: ImportedImage[] = [];
  for await (const item of result.images) out.push(item);
  return out;
}
