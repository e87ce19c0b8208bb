// Reads wkentaro/labelme JSON files (D14, FORMATS.md §6): every *.json with a `shapes` list,
// the image found beside it through imagePath. labelme has no class list, so classes are the
// shape labels in order of first appearance (files sorted by path), with generated colors.
// Never throws on input: problems say what was left out and why.
import {
  AnnotationSchema,
  ClassDefSchema,
  describeZodError,
  imagePathProblem,
  pathStem,
  type Annotation,
  type AttributeValue,
  type ClassDef,
  type ImportProblem,
  type Point,
} from "@pictograph/schema";
import { IMAGE_EXTENSIONS, measureImage } from "../core/image-dimensions";
import { checkImage, isFiniteNumber, isRecord, problem } from "../core/import-problems";
import { DEFAULT_MAX_JSON_BYTES, readJsonMember } from "../core/json-member";
import { paletteColor } from "../core/palette";
import type { ArchiveSource, FormatReader, ImportedImage } from "../core/types";
import { EXTRA_KEY } from "./write";

/** Vertices of the polygon a labelme circle is imported as. */
export const CIRCLE_VERTICES = 32;

/** Exact point counts labelme enforces per shape type (`_validate_shape_semantics`). */
const EXACT_POINTS: Record<string, number> = {
  point: 1,
  rectangle: 2,
  line: 2,
  circle: 2,
  mask: 2,
  oriented_rectangle: 4,
};
const MIN_POINTS: Record<string, number> = { polygon: 3, linestrip: 2, points: 1 };

export const readLabelme: FormatReader = async (archive, options = {}) => {
  const problems: ImportProblem[] = [];
  const maxBytes = options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  const members = new Set<string>();
  for await (const member of archive.members()) members.add(member.path);
  const files = [...members].filter((p) => /\.json$/i.test(p)).sort();

  // First pass: labels only, for the class list; problems are reported by the second pass.
  const firstSeenIn = new Map<string, string>();
  for (const file of files) {
    const data = await readJsonMember(archive, file, maxBytes, []);
    if (!isRecord(data) || !Array.isArray(data.shapes)) continue;
    for (const shape of data.shapes) {
      if (isRecord(shape) && typeof shape.label === "string" && !firstSeenIn.has(shape.label))
        firstSeenIn.set(shape.label, file);
    }
  }
  const classes: ClassDef[] = [];
  for (const [label, file] of firstSeenIn) {
    const parsed = ClassDefSchema.safeParse({ name: label, color: paletteColor(classes.length) });
    if (parsed.success) classes.push(parsed.data);
    else {
      const reason = describeZodError(parsed.error).message;
      problems.push(
        problem(file, `label ${JSON.stringify(label)} is not a valid class name: ${reason}`),
      );
    }
  }
  const known = new Set(classes.map((c) => c.name));

  async function* images(): AsyncGenerator<ImportedImage> {
    const seen = new Set<string>();
    for (const file of files) {
      const data = await readJsonMember(archive, file, maxBytes, problems);
      if (data === undefined) continue;
      if (!isRecord(data) || !Array.isArray(data.shapes)) {
        problems.push(problem(file, 'not a labelme file (no "shapes" list); skipped'));
        continue;
      }
      const imported = await readFile(file, data, { archive, members, known, problems });
      if (!imported) continue;
      if (seen.has(imported.image.path)) {
        problems.push(
          problem(
            file,
            `image "${imported.image.path}" is already described by another JSON file; not imported again`,
          ),
        );
        continue;
      }
      seen.add(imported.image.path);
      yield imported;
    }
  }

  return { classes, images: images(), problems };
};

type Context = {
  archive: ArchiveSource;
  members: Set<string>;
  known: Set<string>;
  problems: ImportProblem[];
};

async function readFile(
  file: string,
  data: Record<string, unknown>,
  ctx: Context,
): Promise<ImportedImage | null> {
  const { problems } = ctx;
  const folder = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
  const path = imagePathFor(file, folder, data.imagePath, ctx);
  if (!path) return null;
  const member = ctx.members.has(path) ? path : null;
  if (data.imageData !== null && data.imageData !== undefined)
    problems.push(
      problem(
        file,
        `embedded imageData is not imported${member ? " (the image file beside it is used)" : ""}`,
        { element: "imageData" },
      ),
    );

  let width = data.imageWidth;
  let height = data.imageHeight;
  if (!isPositiveInteger(width) || !isPositiveInteger(height)) {
    const measured = member
      ? await measureImage(ctx.archive, member)
      : { error: "no image file to measure" };
    if ("error" in measured) {
      problems.push(
        problem(
          file,
          `imageWidth/imageHeight missing or invalid (${measured.error}); not imported`,
        ),
      );
      return null;
    }
    ({ width, height } = measured);
  }

  const shapes = data.shapes as unknown[];
  const instances = instanceNumbering(shapes);
  const annotations: Annotation[] = [];
  shapes.forEach((shape, index) => {
    for (const candidate of readShape(shape, `shapes[${index}]`, file, instances, ctx)) {
      const parsed = AnnotationSchema.safeParse(candidate);
      if (parsed.success) annotations.push(parsed.data);
      else
        problems.push(
          problem(file, `shape not imported: ${describeZodError(parsed.error).message}`, {
            element: `shapes[${index}]`,
          }),
        );
    }
  });
  const image = checkImage({ path, width, height, annotations }, file, problems);
  return image ? { image, file: member } : null;
}

/** The image's path in the dataset: imagePath beside the JSON, as labelme resolves it. */
function imagePathFor(
  file: string,
  folder: string,
  imagePath: unknown,
  ctx: Context,
): string | null {
  if (typeof imagePath === "string" && imagePath) {
    // labelme normalises Windows separators; a path leaving the JSON's folder keeps only its name.
    const posix = imagePath.replace(/\\/g, "/");
    const segments = posix.split("/");
    const escapes =
      posix.startsWith("/") ||
      /^[A-Za-z]:/.test(posix) ||
      segments.some((s) => s === ".." || s === ".");
    const path = folder + (escapes ? segments.at(-1)! : posix);
    const reason = imagePathProblem(path);
    if (!reason) {
      if (escapes)
        ctx.problems.push(
          problem(
            file,
            `imagePath "${imagePath}" points outside the JSON's folder; "${path}" used`,
          ),
        );
      return path;
    }
    ctx.problems.push(
      problem(file, `imagePath "${imagePath}" is not usable (${reason})`, { element: "imagePath" }),
    );
  } else {
    ctx.problems.push(problem(file, "imagePath missing", { element: "imagePath" }));
  }
  // Fall back to an image beside the JSON with the same stem.
  const stem = pathStem(file);
  const sibling = [...IMAGE_EXTENSIONS].map((ext) => stem + ext).find((p) => ctx.members.has(p));
  if (sibling) return sibling;
  ctx.problems.push(problem(file, "no image found for this file; not imported"));
  return null;
}

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value > 0;

/** group_id → instance id: positive ids kept, others (0, negative) given fresh positive ones. */
type Instances = { of(groupId: number): number; fresh(): number };

function instanceNumbering(shapes: unknown[]): Instances {
  const groups = shapes.map((s) =>
    isRecord(s) && Number.isInteger(s.group_id) ? (s.group_id as number) : 0,
  );
  let next = Math.max(0, ...groups) + 1;
  const renumbered = new Map<number, number>();
  return {
    of: (groupId) => {
      if (groupId > 0) return groupId;
      if (!renumbered.has(groupId)) renumbered.set(groupId, next++);
      return renumbered.get(groupId)!;
    },
    fresh: () => next++,
  };
}

function readShape(
  shape: unknown,
  element: string,
  file: string,
  instances: Instances,
  ctx: Context,
): unknown[] {
  const report = (reason: string) => {
    ctx.problems.push(problem(file, reason, { element }));
    return [];
  };
  if (!isRecord(shape)) return report("shape is not an object");
  const { label, shape_type: shapeType } = shape;
  if (typeof label !== "string") return report("shape label must be a string");
  if (typeof shapeType !== "string") return report("shape_type must be a string");
  if (!ctx.known.has(label))
    return report(`label ${JSON.stringify(label)} is not a valid class name; shape not imported`);
  const points = readPoints(shape.points);
  if (!points) return report("points must be a non-empty list of [x, y] finite numbers");

  const exact = EXACT_POINTS[shapeType];
  const minimum = MIN_POINTS[shapeType];
  if (exact === undefined && minimum === undefined)
    return report(`shape_type "${shapeType}" is not a labelme shape type`);
  if (exact !== undefined && points.length !== exact)
    return report(`a ${shapeType} has exactly ${exact} point(s), this one has ${points.length}`);
  if (minimum !== undefined && points.length < minimum)
    return report(`a ${shapeType} needs at least ${minimum} points, this one has ${points.length}`);

  let groupId: number | null = null;
  if (shape.group_id !== null && shape.group_id !== undefined) {
    if (typeof shape.group_id === "number" && Number.isInteger(shape.group_id))
      groupId = shape.group_id;
    else report("group_id must be an integer or null; ignored");
  }
  const base = {
    class_name: label,
    attributes: readAttributes(shape, report),
    ...readExtra(shape[EXTRA_KEY], report),
  };
  const { joint = null, ...common } = base;

  switch (shapeType) {
    case "rectangle": {
      const [a, b] = points as [Point, Point];
      const x = Math.min(a.x, b.x);
      const y = Math.min(a.y, b.y);
      return [
        {
          ...common,
          type: "bbox",
          bbox: { x, y, w: Math.max(a.x, b.x) - x, h: Math.max(a.y, b.y) - y },
        },
      ];
    }
    case "polygon":
      return [{ ...common, type: "polygon", polygon: { paths: [points] } }];
    case "linestrip":
    case "line":
      return [{ ...common, type: "polyline", polyline: { path: points } }];
    case "point": {
      const instance_id = groupId === null ? null : instances.of(groupId);
      return [{ ...common, type: "keypoint", keypoint: points[0], instance_id, joint }];
    }
    case "points": {
      const instance_id = groupId === null ? instances.fresh() : instances.of(groupId);
      report(`"points" shape imported as ${points.length} keypoint(s) of instance ${instance_id}`);
      return points.map((keypoint) => ({
        ...common,
        type: "keypoint",
        keypoint,
        instance_id,
        joint: null,
      }));
    }
    case "circle": {
      const [centre, rim] = points as [Point, Point];
      report(`circle imported as a ${CIRCLE_VERTICES}-point polygon (the model has no circles)`);
      return [{ ...common, type: "polygon", polygon: { paths: [circleRing(centre, rim)] } }];
    }
    case "oriented_rectangle":
      report("oriented_rectangle imported as a 4-point polygon (the model has no rotated boxes)");
      return [{ ...common, type: "polygon", polygon: { paths: [points] } }];
    default:
      return report("mask shapes are not imported (the model has no masks)");
  }
}

function readPoints(value: unknown): Point[] | null {
  if (!Array.isArray(value) || !value.length) return null;
  const points: Point[] = [];
  for (const pair of value) {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      !isFiniteNumber(pair[0]) ||
      !isFiniteNumber(pair[1])
    )
      return null;
    points.push({ x: pair[0], y: pair[1] });
  }
  return points;
}

/** Shape flags (booleans), our extra "attributes" key, and a non-empty description. */
function readAttributes(
  shape: Record<string, unknown>,
  report: (reason: string) => unknown,
): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  if (isRecord(shape.flags)) {
    for (const [name, value] of Object.entries(shape.flags)) {
      if (typeof value === "boolean") attributes[name] = value;
      else report(`flag "${name}" is not true/false; ignored`);
    }
  } else if (shape.flags !== undefined && shape.flags !== null)
    report("flags must be an object; ignored");
  if (isRecord(shape.attributes)) {
    for (const [name, value] of Object.entries(shape.attributes)) {
      if (typeof value === "string" || typeof value === "boolean" || isFiniteNumber(value))
        attributes[name] = value;
      else report(`attribute "${name}" is not text, a number or true/false; ignored`);
    }
  }
  if (typeof shape.description === "string" && shape.description && !("description" in attributes))
    attributes.description = shape.description;
  return attributes;
}

type Extra = { confidence?: number; occluded?: boolean; z_order?: number; joint?: string };

function readExtra(value: unknown, report: (reason: string) => unknown): Extra {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    report(`"${EXTRA_KEY}" must be an object; ignored`);
    return {};
  }
  const extra: Extra = {};
  if (isFiniteNumber(value.confidence) && value.confidence >= 0 && value.confidence <= 1)
    extra.confidence = value.confidence;
  if (typeof value.occluded === "boolean") extra.occluded = value.occluded;
  if (Number.isInteger(value.z_order)) extra.z_order = value.z_order as number;
  if (typeof value.joint === "string" && value.joint) extra.joint = value.joint;
  return extra;
}

function circleRing(centre: Point, rim: Point): Point[] {
  const radius = Math.hypot(rim.x - centre.x, rim.y - centre.y);
  return Array.from({ length: CIRCLE_VERTICES }, (_, i) => {
    const angle = (2 * Math.PI * i) / CIRCLE_VERTICES;
    return { x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) };
  });
}
