// labelme (D11, FORMATS.md §6): one wkentaro/labelme JSON per image, `<path stem>.json` beside
// `<path>` at the ZIP root, formatted as labelme's json.dump(indent=2, ensure_ascii=False).
// Pure and streaming: one image in memory at a time.
import {
  pathBaseName,
  pathStem,
  type Annotation,
  type AttributeValue,
  type DatasetImage,
} from "@pictograph/schema";
import { exportClasses } from "../core/class-list";
import { hasKeys } from "../core/has-keys";
import { countSkip, readmeText } from "../core/readme";
import { numberText } from "../core/number-text";
import { annotationSelector } from "../core/select-annotations";
import type { ExportSource, ExportSummary, FormatWriter } from "../core/types";

/** The labelme version whose file layout we write (examples/primitives/primitives.json). */
export const LABELME_VERSION = "5.7.0";
/** Extra shape key (labelme keeps unknown keys) carrying what labelme has no field for. */
export const EXTRA_KEY = "pictograph";

export type LabelmeShapeExtra = {
  confidence?: number;
  occluded?: true;
  z_order?: number;
  joint?: string;
};

export const writeLabelme: FormatWriter = async function* (source: ExportSource) {
  const exported = exportClasses(source.classes, source.options.class_filter);
  const summary: ExportSummary = { images: 0, annotations: 0, skipped: {}, imageMembers: 0 };
  const select = annotationSelector(source.classes, exported, summary.skipped);

  for await (const image of source.images()) {
    summary.images++;
    if (source.options.include_images) {
      summary.imageMembers++;
      yield { type: "image", path: image.path, image };
    }
    const annotations = select(image);
    summary.annotations += annotations.length;
    yield {
      type: "file",
      path: `${pathStem(image.path)}.json`,
      body: labelmeFileJson(image, annotations, summary.skipped),
    };
  }

  yield {
    type: "file",
    path: "README.txt",
    body: readmeText({
      format: `labelme (wkentaro/labelme ${LABELME_VERSION} JSON)`,
      source,
      classes: exported.classes,
      indexBase: 0,
      layout: [
        "<image path without extension>.json beside <image path>: one labelme file per image, sub-folders kept",
        source.options.include_images
          ? "<image path>: the image files, where labelme looks for imagePath"
          : "images are not included: place each image beside its JSON (imageData is null) before opening it in labelme",
      ],
      conventions: [
        "absolute pixel coordinates (floats), origin at the top-left corner",
        "bbox -> rectangle [[x, y], [x+w, y+h]]; polygon -> polygon (outer ring, first point not repeated); polyline -> linestrip; keypoint -> point",
        "keypoints of one object share group_id (= instance id); other shapes have group_id null",
        'shape flags hold boolean attributes; other attributes are in the shape\'s extra "attributes" key',
        `confidence, occluded, z_order and joint name (when set) are in the shape's extra "${EXTRA_KEY}" key`,
        "labelme has no class list: classes appear as shape labels only",
      ],
      summary,
    }),
  };
  return summary;
};

/**
 * An image's labelme file as pythonJson would write it, with a newline at the end, written
 * directly: building each shape as an object for pythonJson cost a 100k-image export ≈0.8 s
 * on the writer's thread. The tests hold the two equal.
 */
function labelmeFileJson(
  image: DatasetImage,
  annotations: Annotation[],
  skipped: Record<string, number>,
): string {
  let shapes = "[]";
  if (annotations.length) {
    shapes = "[";
    for (let i = 0; i < annotations.length; i++)
      shapes += `${i ? "," : ""}\n    ${shapeJson(annotations[i]!, skipped)}`;
    shapes += "\n  ]";
  }
  return `{
  "version": "${LABELME_VERSION}",
  "flags": {},
  "shapes": ${shapes},
  "imagePath": ${JSON.stringify(pathBaseName(image.path))},
  "imageData": null,
  "imageHeight": ${pythonNumber(image.height)},
  "imageWidth": ${pythonNumber(image.width)}
}
`;
}

/** One shape, as an item of the file's shapes (indented by 4). */
function shapeJson(annotation: Annotation, skipped: Record<string, number>): string {
  let points: string;
  let shapeType: string;
  let groupId = "null";
  switch (annotation.type) {
    case "bbox": {
      const { x, y, w, h } = annotation.bbox;
      points = pointsJson([x, y, x + w, y + h], KEY_INDENT);
      shapeType = "rectangle";
      break;
    }
    case "polygon": {
      const [outer, ...holes] = annotation.polygon.paths;
      if (holes.length)
        countSkip(skipped, "polygon hole: not expressible in labelme", holes.length);
      points = pointsJson(
        outer!.flatMap((p) => [p.x, p.y]),
        KEY_INDENT,
      );
      shapeType = "polygon";
      break;
    }
    case "polyline":
      points = pointsJson(
        annotation.polyline.path.flatMap((p) => [p.x, p.y]),
        KEY_INDENT,
      );
      shapeType = "linestrip";
      break;
    case "keypoint":
      points = pointsJson([annotation.keypoint.x, annotation.keypoint.y], KEY_INDENT);
      shapeType = "point";
      if (annotation.instance_id !== null) groupId = pythonNumber(annotation.instance_id);
      break;
  }
  let flags = "{}";
  let others = "";
  if (hasKeys(annotation.attributes)) {
    const booleans: Record<string, boolean> = {};
    const rest: Record<string, AttributeValue> = {};
    for (const [name, value] of Object.entries(annotation.attributes)) {
      if (typeof value === "boolean") booleans[name] = value;
      else rest[name] = value;
    }
    flags = pythonJson(booleans, KEY_INDENT);
    if (hasKeys(rest)) others = `,\n      "attributes": ${pythonJson(rest, KEY_INDENT)}`;
  }
  const extra: LabelmeShapeExtra = {};
  if (annotation.confidence !== null) extra.confidence = annotation.confidence;
  if (annotation.occluded) extra.occluded = true;
  if (annotation.z_order !== 0) extra.z_order = annotation.z_order;
  if (annotation.type === "keypoint" && annotation.joint !== null) extra.joint = annotation.joint;
  const extras = hasKeys(extra) ? `,\n      "${EXTRA_KEY}": ${pythonJson(extra, KEY_INDENT)}` : "";
  return `{
      "label": ${JSON.stringify(annotation.class_name)},
      "points": ${points},
      "group_id": ${groupId},
      "description": "",
      "shape_type": "${shapeType}",
      "flags": ${flags},
      "mask": null${others}${extras}
    }`;
}

/** The indent of a shape's keys: shapes are items of the file's "shapes" list. */
const KEY_INDENT = "      ";

/**
 * JSON as Python's json.dump(indent=2, ensure_ascii=False) writes it: every list and object
 * item on its own line, empty ones as [] and {}, and coordinates as floats (`10.0`).
 */
export function pythonJson(value: unknown, indent = ""): string {
  if (value === null) return "null";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  const inner = `${indent}  `;
  // Plain loops and `+=`: this runs for every shape of every image.
  if (Array.isArray(value)) {
    if (!value.length) return "[]";
    let text = "[";
    for (let i = 0; i < value.length; i++)
      text += `${i ? "," : ""}\n${inner}${pythonJson(value[i], inner)}`;
    return `${text}\n${indent}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (!keys.length) return "{}";
  let text = "{";
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = record[key];
    text += `${i ? "," : ""}\n${inner}${quotedKey(key)}: ${
      key === "points" && Array.isArray(item)
        ? pointsJson((item as number[][]).flat(), inner)
        : pythonJson(item, inner)
    }`;
  }
  return `${text}\n${indent}}`;
}

/** Keys repeat in every shape of every file: each is quoted once. */
const quotedKeys = new Map<string, string>();
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    // Attribute names are the user's: a bounded cache, not one that grows with the dataset.
    if (quotedKeys.size < 1000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** A shape's points from their coordinates (x0, y0, x1, y1, …), every coordinate a float,
 * for a key at `indent`: written directly, as there are millions. */
function pointsJson(coordinates: number[], indent: string): string {
  if (!coordinates.length) return "[]";
  const open = `\n${indent}  [\n${indent}    `;
  const between = `,\n${indent}    `;
  const close = `\n${indent}  ]`;
  let text = "[";
  for (let i = 0; i < coordinates.length; i += 2)
    text += `${i ? "," : ""}${open}${pythonFloat(coordinates[i]!)}${between}${pythonFloat(coordinates[i + 1]!)}${close}`;
  return `${text}\n${indent}]`;
}

function pythonNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : pythonFloat(value);
}

/** Python's repr(float): `10.0`, `0.1`, `1e-05`, `1e+16`. */
function pythonFloat(value: number): string {
  const size = Math.abs(value);
  if (size !== 0 && (size < 1e-4 || size >= 1e16))
    return value.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  // Below 1e16 an integer's String() has no exponent, so this is toFixed(1), only cheaper.
  return Number.isInteger(value) ? `${value}.0` : numberText(value);
}
