// pictograph (D6, FORMATS.md §1): the lossless canonical export. manifest.json holds the
// dataset's facts; one annotations/<path>.json per image; images/<path> when included.
// Pure and streaming: one image in memory at a time.
import { pathBaseName, type Annotation, type DatasetImage, type Point } from "@pictograph/schema";
import { exportClasses } from "../core/class-list";
import { hasKeys } from "../core/has-keys";
import { numberText } from "../core/number-text";
import { readmeText } from "../core/readme";
import { annotationSelector } from "../core/select-annotations";
import type { ExportSource, ExportSummary, FormatWriter } from "../core/types";

export const PICTOGRAPH_SCHEMA = "pictograph/1";

export const writePictograph: FormatWriter = async function* (source: ExportSource) {
  const exported = exportClasses(source.classes, source.options.class_filter);
  const summary: ExportSummary = { images: 0, annotations: 0, skipped: {}, imageMembers: 0 };
  const select = annotationSelector(source.classes, exported, summary.skipped);
  const splits = { train: 0, val: 0, test: 0, none: 0 };

  for await (const image of source.images()) {
    const annotations = select(image);
    summary.images++;
    summary.annotations += annotations.length;
    splits[image.split ?? "none"]++;
    yield {
      type: "file",
      path: `annotations/${image.path}.json`,
      body: imageJson(image, annotations),
    };
    if (source.options.include_images) {
      summary.imageMembers++;
      yield { type: "image", path: `images/${image.path}`, image };
    }
  }

  const manifest = {
    schema: PICTOGRAPH_SCHEMA,
    dataset: { name: source.dataset.name },
    exported_at: source.exportedAt,
    export: {
      format: "pictograph",
      include_images: source.options.include_images,
      class_filter: source.options.class_filter,
      status_filter: source.options.status_filter,
    },
    classes: exported.classes,
    counts: {
      images: summary.images,
      annotations: summary.annotations,
      image_files: summary.imageMembers,
      skipped: sortedRecord(summary.skipped),
    },
    splits,
  };
  yield { type: "file", path: "manifest.json", body: JSON.stringify(manifest, null, 2) + "\n" };
  yield {
    type: "file",
    path: "README.txt",
    body: readmeText({
      format: "pictograph (schema pictograph/1)",
      source,
      classes: exported.classes,
      indexBase: 0,
      layout: [
        "manifest.json: dataset, classes (colors, attribute specs, joints), export parameters, counts, splits",
        "annotations/<image path>.json: one file per image, e.g. annotations/batch1/x.jpg.json",
        source.options.include_images
          ? "images/<image path>: the image files"
          : "images: not included in this export",
      ],
      conventions: [
        "absolute pixel coordinates, origin at the top-left corner of the top-left pixel, continuous",
        "bbox {x, y, w, h}; polygon {paths: [outer ring, holes...]}; polyline {path}; keypoint {x, y}",
        "keypoints of one object share instance_id; joint names one of the class's keypoints",
        "annotation ids are positions within their image, starting at 1",
      ],
      summary,
    }),
  };
  return summary;
};

/** Image fields, then its annotations one per line: readable and diff-friendly. */
function imageJson(image: DatasetImage, annotations: Annotation[]): string {
  const slash = image.path.lastIndexOf("/");
  const head = {
    image: pathBaseName(image.path),
    image_path: slash < 0 ? "" : image.path.slice(0, slash),
    path: image.path,
    width: image.width,
    height: image.height,
    status: image.status,
    split: image.split,
    tags: image.tags,
    annotation_count: annotations.length,
  };
  let text = "{\n";
  for (const key in head)
    text += `  ${JSON.stringify(key)}: ${JSON.stringify(head[key as keyof typeof head])},\n`;
  if (!annotations.length) return `${text}  "annotations": []\n}\n`;
  text += '  "annotations": [\n';
  for (let i = 0; i < annotations.length; i++)
    text += `${i ? ",\n" : ""}    ${annotationJson(annotations[i]!, i + 1)}`;
  return `${text}\n  ]\n}\n`;
}

/**
 * One annotation as JSON.stringify writes it, in the field order of the Pictograph SDK (id,
 * name, type, geometry, confidence, attributes), then what the canonical model adds; geometry
 * keys in the schema's order ({x, y, w, h}) whatever order the annotation's object has.
 * Written directly, numbers through numberText: an export holds millions of annotations.
 */
function annotationJson(a: Annotation, id: number): string {
  const head = `{"id":${id},"name":${JSON.stringify(a.class_name)},"type":"${a.type}",`;
  const confidence = a.confidence === null ? "null" : numberText(a.confidence);
  const tail = `"confidence":${confidence},"attributes":${hasKeys(a.attributes) ? JSON.stringify(a.attributes) : "{}"},"occluded":${a.occluded},"z_order":${a.z_order}}`;
  switch (a.type) {
    case "bbox": {
      const { x, y, w, h } = a.bbox;
      return `${head}"bbox":{"x":${numberText(x)},"y":${numberText(y)},"w":${numberText(w)},"h":${numberText(h)}},${tail}`;
    }
    case "polygon":
      return `${head}"polygon":{"paths":[${a.polygon.paths.map(pointsJson).join(",")}]},${tail}`;
    case "polyline":
      return `${head}"polyline":{"path":${pointsJson(a.polyline.path)}},${tail}`;
    case "keypoint": {
      const joint = a.joint === null ? "null" : JSON.stringify(a.joint);
      return `${head}"keypoint":${pointJson(a.keypoint)},"instance_id":${a.instance_id},"joint":${joint},${tail}`;
    }
  }
}

function pointJson(p: Point): string {
  return `{"x":${numberText(p.x)},"y":${numberText(p.y)}}`;
}

function pointsJson(points: Point[]): string {
  return `[${points.map(pointJson).join(",")}]`;
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
