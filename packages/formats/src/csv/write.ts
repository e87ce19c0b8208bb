// csv (D12, FORMATS.md §7): annotations.csv in the TensorFlow Object Detection layout that
// raccoon_dataset's generate_tfrecord.py and Roboflow read, + images/<path>. One row per box;
// an image without boxes has no row (the CSV cannot say "no objects") and is counted in
// README.txt. Pure and streaming: the CSV is produced while the source is iterated.
import { csvField, csvLine } from "../core/csv-text";
import { exportClasses } from "../core/class-list";
import { numberText } from "../core/number-text";
import { countSkip, readmeText } from "../core/readme";
import { annotationSelector } from "../core/select-annotations";
import { assertDrained, streamedFile } from "../core/streamed-file";
import type { ExportSource, ExportSummary, FormatWriter } from "../core/types";

export const CSV_HEADER = ["filename", "width", "height", "class", "xmin", "ymin", "xmax", "ymax"];

/** At most 2 decimals, no trailing zeros: 12, 12.5, 12.25. */
export function csvNumber(value: number): string {
  return numberText(Math.round(value * 100) / 100);
}

export const writeCsv: FormatWriter = async function* (source: ExportSource) {
  const exported = exportClasses(source.classes, source.options.class_filter);
  const summary: ExportSummary = { images: 0, annotations: 0, skipped: {}, imageMembers: 0 };
  const select = annotationSelector(source.classes, exported, summary.skipped);
  let withoutBoxes = 0;

  if (source.options.include_images) {
    for await (const image of source.images({ annotations: false })) {
      summary.imageMembers++;
      yield { type: "image", path: `images/${image.path}`, image };
    }
  }

  const csv = streamedFile("annotations.csv", async function* () {
    yield csvLine(CSV_HEADER);
    for await (const image of source.images()) {
      summary.images++;
      // The row's leading fields, quoted once per image; numbers never need quoting. One
      // piece per image: each yield costs a trip down to the ZIP writer.
      const head = `${csvField(image.path)},${image.width},${image.height},`;
      let rows = "";
      let count = 0;
      for (const a of select(image)) {
        if (a.type !== "bbox") {
          countSkip(summary.skipped, `${a.type}: not expressible in csv (boxes only)`);
          continue;
        }
        const { x, y, w, h } = a.bbox;
        const xmin = csvNumber(x);
        const ymin = csvNumber(y);
        const xmax = csvNumber(x + w);
        const ymax = csvNumber(y + h);
        if (xmin === xmax || ymin === ymax) {
          countSkip(summary.skipped, "bbox: thinner than 0.01 px after rounding to 2 decimals");
          continue;
        }
        count++;
        rows += `${head}${csvField(a.class_name)},${xmin},${ymin},${xmax},${ymax}\n`;
      }
      summary.annotations += count;
      if (count === 0) withoutBoxes++;
      else yield rows;
    }
  });
  yield csv.entry;
  assertDrained(csv);

  yield {
    type: "file",
    path: "README.txt",
    body: readmeText({
      format: "CSV (TensorFlow Object Detection layout)",
      source,
      classes: exported.classes,
      indexBase: 1,
      layout: [
        `annotations.csv: header ${CSV_HEADER.join(",")}, one row per box`,
        source.options.include_images
          ? "images/<filename>: the image files; filename is the path below images/"
          : "images: not included in this export; filename is the path below images/",
      ],
      conventions: [
        "xmin, ymin, xmax, ymax in absolute pixels from the top-left corner, at most 2 decimals",
        "RFC 4180 quoting, UTF-8 without BOM, \\n line ends; class is the class name",
        "class indexes above are 1-based, as a TF Object Detection label_map.pbtxt numbers them",
        "only boxes are rows: polygons, polylines and keypoints are skipped",
      ],
      summary,
      notes: [
        `${withoutBoxes} of ${summary.images} images have no box and so no row: a CSV cannot express an image without objects`,
      ],
    }),
  };
  return summary;
};
