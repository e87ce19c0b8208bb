// Reads COCO instances: our layout (annotations/instances_<subset>.json + images/<subset>/),
// datumaro's (same, any category ids) and Roboflow's (<split>/_annotations.coco.json with
// images beside it). Untrusted input: every bad element becomes a problem, never a throw.
// Losses: RLE masks come in as their bbox; colors, z_order and supercategories are not held.
import {
  AnnotationSchema,
  ClassNameSchema,
  describeZodError,
  type Annotation,
  type AnnotationInput,
  type AttributeValue,
  type ClassDef,
  type ImportProblem,
  type Split,
} from "@pictograph/schema";
import {
  checkImage,
  errorMessage,
  isFiniteNumber,
  isRecord,
  problem,
} from "../core/import-problems";
import { DEFAULT_MAX_JSON_BYTES } from "../core/json-member";
import { streamJsonObject } from "../core/json-stream";
import { paletteColor } from "../core/palette";
import type {
  ArchiveSource,
  FormatReader,
  ImportedImage,
  ReadOptions,
  ReadResult,
} from "../core/types";

type CocoFile = { path: string; subset: string; split: Split | null; imageDirs: string[] };
type CocoCategory = { name: string; keypoints: string[] | null };
/** What the first pass over a file keeps: the small tables, and of each annotation only the
 * ids it refers to and the length of its text. */
type ScannedFile = CocoFile & {
  categories: Map<number, CocoCategory>;
  images: ImageTable | null;
  annotations: AnnotationTable | null;
  /** Which occurrence of `annotations` JSON.parse would keep (the last). */
  annotationsOccurrence: number;
};

/** The elements of images[], column by column; `ids` is NaN where there is no whole-number id. */
type ImageTable = { ids: number[]; fileNames: unknown[]; widths: unknown[]; heights: unknown[] };

/** Numbers appended one at a time into fixed blocks: outside the JS heap, never copied as
 * they grow (a million annotations' ids take 8 MB, not a garbage-collected array's slack). */
class NumberColumn {
  private readonly blocks: Float64Array[] = [];
  length = 0;

  push(value: number): void {
    const block = this.length >>> 16;
    if (block === this.blocks.length) this.blocks.push(new Float64Array(1 << 16));
    this.blocks[block]![this.length++ & 0xffff] = value;
  }

  at(i: number): number {
    return this.blocks[i >>> 16]![i & 0xffff]!;
  }
}

/** Per annotation: the image and category ids it refers to (NaN when they are not numbers,
 * their text aside for the message), and the length of its text. */
class AnnotationTable {
  readonly imageIds = new NumberColumn();
  readonly categoryIds = new NumberColumn();
  readonly chars = new NumberColumn();
  readonly texts = new Map<number, { image: string; category: string }>();
  readonly notObjects = new Set<number>();

  get length(): number {
    return this.chars.length;
  }

  add(value: unknown, chars: number): void {
    const i = this.chars.length;
    this.chars.push(chars);
    if (!isRecord(value)) {
      this.notObjects.add(i);
      this.imageIds.push(NaN);
      this.categoryIds.push(NaN);
      return;
    }
    const { image_id: imageId, category_id: categoryId } = value;
    this.imageIds.push(typeof imageId === "number" ? imageId : NaN);
    this.categoryIds.push(typeof categoryId === "number" ? categoryId : NaN);
    if (typeof imageId !== "number" || typeof categoryId !== "number")
      this.texts.set(i, { image: String(imageId), category: String(categoryId) });
  }

  /** The ids as a message names them. */
  text(i: number, which: "image" | "category"): string {
    return (
      this.texts.get(i)?.[which] ??
      String((which === "image" ? this.imageIds : this.categoryIds).at(i))
    );
  }
}

/** Annotations unordered by image are grouped in windows of images whose annotations' text
 * adds up to about this many characters, one pass over the file per window. Annotations in
 * the order of images[] (our writer's, and most tools') need one pass whatever the size. */
export const WINDOW_CHARS = 32 * 1024 * 1024;

export type CocoReadOptions = ReadOptions & { windowChars?: number };

const SPLIT_NAMES: Record<string, Split> = {
  train: "train",
  val: "val",
  valid: "val",
  validation: "val",
  test: "test",
};

export const readCoco: FormatReader = (archive, options) => readCocoFiles(archive, options);

/** readCoco with its window size open to tests. */
export async function readCocoFiles(archive: ArchiveSource, options: CocoReadOptions = {}) {
  const maxBytes = options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  const problems: ImportProblem[] = [];
  const files = await findCocoFiles(archive, problems);
  const scanned: ScannedFile[] = [];
  for (const file of files) {
    const result = await scanFile(archive, file, maxBytes, problems);
    if (result) scanned.push(result);
  }
  const classes = classList(scanned);
  const expectedImages = scanned.reduce(
    (sum, file) => sum + new Set(file.images?.ids.filter((id) => !Number.isNaN(id))).size,
    0,
  );
  const windowChars = options.windowChars ?? WINDOW_CHARS;
  return {
    classes,
    problems,
    expectedImages,
    images: readImages(archive, scanned, classes, { maxBytes, windowChars }, problems),
  } satisfies ReadResult;
}

async function findCocoFiles(
  archive: ArchiveSource,
  problems: ImportProblem[],
): Promise<CocoFile[]> {
  const files: CocoFile[] = [];
  try {
    for await (const { path } of archive.members()) {
      const ours = /^annotations\/instances_([^/]+)\.json$/.exec(path);
      if (ours) {
        const subset = ours[1]!;
        files.push({
          path,
          subset,
          split: splitOf(subset),
          imageDirs: [`images/${subset}/`, "images/", `${subset}/`, ""],
        });
        continue;
      }
      const roboflow = /^(?:(.*)\/)?_annotations\.coco\.json$/.exec(path);
      if (roboflow) {
        const dir = roboflow[1] ?? "";
        const subset = dir.slice(dir.lastIndexOf("/") + 1) || "default";
        files.push({
          path,
          subset,
          split: splitOf(subset),
          imageDirs: [dir ? `${dir}/` : "", `${dir ? `${dir}/` : ""}images/`],
        });
      }
    }
  } catch (error) {
    problems.push(problem("", `cannot list the archive: ${errorMessage(error)}`));
  }
  if (files.length === 0)
    problems.push(
      problem(
        "",
        "no COCO annotation file found (expected annotations/instances_<subset>.json or <split>/_annotations.coco.json)",
      ),
    );
  return files.sort((a, b) => splitRank(a) - splitRank(b) || (a.path < b.path ? -1 : 1));
}

function splitOf(subset: string): Split | null {
  const base = subset.toLowerCase().replace(/\d{4}$/, ""); // train2017 → train
  return SPLIT_NAMES[base] ?? null;
}

const splitRank = (file: CocoFile) =>
  file.split ? ["train", "val", "test"].indexOf(file.split) : 3;

/** The first pass: the whole file checked, categories and images kept, annotations reduced to
 * what they refer to. Null (after reporting why) when the file is not a valid COCO object. */
async function scanFile(
  archive: ArchiveSource,
  file: CocoFile,
  maxBytes: number,
  problems: ImportProblem[],
): Promise<ScannedFile | null> {
  let categories: unknown[] = [];
  let images: ImageTable = { ids: [], fileNames: [], widths: [], heights: [] };
  let annotations = new AnnotationTable();
  const used = new Set<number>();
  const occurrences = new Map<string, number>();
  // A repeated member replaces the earlier one, as JSON.parse would have it.
  const fresh = (key: string, occurrence: number) => {
    if ((occurrences.get(key) ?? 0) === occurrence) return false;
    occurrences.set(key, occurrence);
    return true;
  };
  const parts = streamJsonObject(archive, file.path, maxBytes, problems, {
    select: (key, index) =>
      index >= 0 && (key === "categories" || key === "images" || key === "annotations"),
    checkAll: true,
  });
  let next = await parts.next();
  for (; !next.done; next = await parts.next()) {
    const { key, occurrence, value, chars } = next.value;
    if (key === "categories") {
      if (fresh(key, occurrence)) categories = [];
      categories.push(value);
    } else if (key === "images") {
      if (fresh(key, occurrence)) images = { ids: [], fileNames: [], widths: [], heights: [] };
      const row = isRecord(value) && Number.isInteger(value.id) ? value : null;
      images.ids.push(row ? (row.id as number) : NaN);
      images.fileNames.push(row?.file_name);
      images.widths.push(row?.width);
      images.heights.push(row?.height);
    } else {
      if (fresh(key, occurrence)) {
        annotations = new AnnotationTable();
        used.clear();
      }
      annotations.add(value, chars);
      if (isRecord(value) && typeof value.category_id === "number") used.add(value.category_id);
    }
  }
  const shape = next.value;
  if (!shape) return null;
  if (shape.root !== "object") {
    problems.push(problem(file.path, "a COCO file must be a JSON object"));
    return null;
  }
  const isList = (key: string) => shape.members.get(key)?.list === true;
  return {
    ...file,
    categories: readCategories(isList("categories") ? categories : null, used, file.path, problems),
    images: isList("images") ? images : null,
    annotations: isList("annotations") ? annotations : null,
    annotationsOccurrence: (shape.members.get("annotations")?.occurrences ?? 1) - 1,
  };
}

function readCategories(
  list: unknown[] | null,
  used: Set<number>,
  file: string,
  problems: ImportProblem[],
): Map<number, CocoCategory> {
  const categories = new Map<number, CocoCategory>();
  if (!list) {
    problems.push(problem(file, "categories must be a list", { element: "categories" }));
    return categories;
  }
  const supercategories = new Set(list.map((c) => (isRecord(c) ? c.supercategory : null)));
  list.forEach((raw, i) => {
    const element = `categories[${i}]`;
    if (!isRecord(raw) || !Number.isInteger(raw.id)) {
      problems.push(problem(file, "category needs a whole-number id", { element }));
      return;
    }
    const name = ClassNameSchema.safeParse(raw.name);
    if (!name.success) {
      problems.push(
        problem(file, `category not imported: ${describeZodError(name.error).message}`, {
          element,
        }),
      );
      return;
    }
    // Roboflow lists its project as category 0, the supercategory of all others, unused.
    if (supercategories.has(name.data) && !used.has(raw.id as number)) return;
    if (categories.has(raw.id as number)) {
      problems.push(problem(file, `category id ${raw.id} is listed twice`, { element }));
      return;
    }
    const keypoints =
      Array.isArray(raw.keypoints) &&
      raw.keypoints.length > 0 &&
      raw.keypoints.every((k) => typeof k === "string" && k)
        ? (raw.keypoints as string[])
        : null;
    if (
      raw.keypoints !== undefined &&
      Array.isArray(raw.keypoints) &&
      raw.keypoints.length > 0 &&
      !keypoints
    )
      problems.push(problem(file, "keypoints must be a list of joint names; ignored", { element }));
    categories.set(raw.id as number, { name: name.data, keypoints });
  });
  return categories;
}

/** Categories sorted by id (datumaro's rule), first file first; one class per name. */
function classList(files: ScannedFile[]): ClassDef[] {
  const classes: ClassDef[] = [];
  const byName = new Map<string, ClassDef>();
  for (const file of files) {
    for (const [, category] of [...file.categories].sort(([a], [b]) => a - b)) {
      const known = byName.get(category.name);
      if (known) {
        known.keypoints ??= category.keypoints;
        continue;
      }
      const def: ClassDef = {
        name: category.name,
        color: paletteColor(classes.length),
        attributes: [],
        keypoints: category.keypoints,
      };
      byName.set(def.name, def);
      classes.push(def);
    }
  }
  return classes;
}

type Limits = { maxBytes: number; windowChars: number };
/** The images a file yields, in images[] order, as their indexes in images[]. */
type Targets = Int32Array;
/** One image's annotations while its window is read. */
type Group = { annotations: Annotation[]; instances: number };

async function* readImages(
  archive: ArchiveSource,
  files: ScannedFile[],
  classes: ClassDef[],
  limits: Limits,
  problems: ImportProblem[],
): AsyncGenerator<ImportedImage> {
  const joints = new Map(classes.map((c) => [c.name, c.keypoints]));
  const seenPaths = new Set<string>();
  for (const file of files) {
    if (!file.images) {
      problems.push(problem(file.path, "images must be a list", { element: "images" }));
      continue;
    }
    const targets = imageTargets(file, problems);
    const plan = annotationPlan(file, targets, limits.windowChars, problems);
    // Only the images table, `targets` and `plan` are needed from here on.
    file.annotations = null;

    const table = file.images;
    const yieldImage = async (index: number, group: Group | undefined) => {
      const element = `images[${index}]`;
      try {
        const image = checkImage(
          {
            path: table.fileNames[index],
            width: table.widths[index],
            height: table.heights[index],
            split: file.split,
          },
          file.path,
          problems,
          { element },
        );
        if (!image) return null;
        // Each annotation was checked against AnnotationSchema as it was read.
        image.annotations = group?.annotations ?? [];
        if (seenPaths.has(image.path)) {
          problems.push(
            problem(
              file.path,
              `image ${JSON.stringify(image.path)} appears twice; the second is not imported`,
              { element },
            ),
          );
          return null;
        }
        seenPaths.add(image.path);
        return { image, file: await imageMember(archive, file.imageDirs, image.path) };
      } catch (error) {
        problems.push(
          problem(file.path, `image not imported: ${errorMessage(error)}`, { element }),
        );
        return null;
      }
    };

    for (const [from, to] of plan.windows) {
      const groups = new Map<number, Group>();
      let next = from; // the next image to yield, by its place in `targets`
      if (plan.annotated) {
        const parts = streamJsonObject(archive, file.path, limits.maxBytes, problems, {
          select: (key, index, occurrence) =>
            key === "annotations" &&
            occurrence === file.annotationsOccurrence &&
            plan.imageOf[index]! >= from &&
            plan.imageOf[index]! < to,
        });
        let part = await parts.next();
        for (; !part.done; part = await parts.next()) {
          const { index, value } = part.value;
          const at = plan.imageOf[index]!;
          // In image order, every image before this annotation's is complete.
          if (plan.ordered)
            for (; next < at; next++) {
              const imported = await yieldImage(targets[next]!, groups.get(next));
              groups.delete(next);
              if (imported) yield imported;
            }
          let group = groups.get(at);
          if (!group) groups.set(at, (group = { annotations: [], instances: 0 }));
          addAnnotation(group, value as Record<string, unknown>, index, file, joints, problems);
        }
        // The file changed or broke since the first pass (reported): the rest is not imported.
        if (!part.value) break;
      }
      for (; next < to; next++) {
        const imported = await yieldImage(targets[next]!, groups.get(next));
        groups.delete(next);
        if (imported) yield imported;
      }
    }
  }
}

/** The images to yield, first id wins; bad and repeated ids reported. */
function imageTargets(file: ScannedFile, problems: ImportProblem[]): Targets {
  const targets: number[] = [];
  const ids = new Set<number>();
  file.images!.ids.forEach((id, index) => {
    const element = `images[${index}]`;
    if (Number.isNaN(id))
      problems.push(problem(file.path, "image needs a whole-number id", { element }));
    else if (ids.has(id))
      problems.push(
        problem(file.path, `image id ${id} is listed twice; the second is not imported`, {
          element,
        }),
      );
    else {
      ids.add(id);
      targets.push(index);
    }
  });
  return Int32Array.from(targets);
}

type AnnotationPlan = {
  /** Per annotation, the place in `targets` of its image; -1 when it is not imported. */
  imageOf: Int32Array;
  /** Whether any annotation is imported (else no second pass). */
  annotated: boolean;
  /** Whether the annotations follow images[] order, so images complete as the pass goes. */
  ordered: boolean;
  /** [from, to) ranges of `targets`, one pass over the file each. */
  windows: Array<[number, number]>;
};

/** Which annotation goes to which image (bad references reported), and the passes to make. */
function annotationPlan(
  file: ScannedFile,
  targets: Targets,
  windowChars: number,
  problems: ImportProblem[],
): AnnotationPlan {
  const list = file.annotations;
  const imageOf = new Int32Array(list?.length ?? 0).fill(-1);
  const charsOf = new Float64Array(targets.length);
  let annotated = false;
  let ordered = true;
  let last = 0;
  if (!list)
    problems.push(problem(file.path, "annotations must be a list", { element: "annotations" }));
  else {
    const ids = file.images!.ids;
    const placeOf = new Map<number, number>();
    targets.forEach((index, place) => placeOf.set(ids[index]!, place));
    for (let i = 0; i < list.length; i++) {
      const element = `annotations[${i}]`;
      const place = placeOf.get(list.imageIds.at(i));
      if (list.notObjects.has(i))
        problems.push(problem(file.path, "annotation must be an object", { element }));
      else if (place === undefined)
        problems.push(
          problem(
            file.path,
            `annotation refers to image id ${list.text(i, "image")}, which is not in images`,
            { element },
          ),
        );
      else if (!file.categories.has(list.categoryIds.at(i)))
        problems.push(
          problem(
            file.path,
            `annotation refers to category id ${list.text(i, "category")}, which is not in categories`,
            { element },
          ),
        );
      else {
        imageOf[i] = place;
        charsOf[place] = charsOf[place]! + list.chars.at(i);
        annotated = true;
        if (place < last) ordered = false;
        last = place;
      }
    }
  }
  const windows: Array<[number, number]> = [];
  if (ordered || !annotated) windows.push([0, targets.length]);
  else {
    let from = 0;
    let chars = 0;
    for (let place = 0; place < targets.length; place++) {
      // Images without annotations join the window before them: a pass costs the same.
      if (chars > 0 && charsOf[place]! > 0 && chars + charsOf[place]! > windowChars) {
        windows.push([from, place]);
        from = place;
        chars = 0;
      }
      chars += charsOf[place]!;
    }
    windows.push([from, targets.length]);
  }
  return { imageOf, annotated, ordered, windows };
}

/** Converts one COCO annotation into its image's group, reporting what it leaves out. */
function addAnnotation(
  group: Group,
  raw: Record<string, unknown>,
  index: number,
  file: ScannedFile,
  joints: Map<string, string[] | null>,
  problems: ImportProblem[],
): void {
  const where = { element: `annotations[${index}]` };
  try {
    const category = file.categories.get(raw.category_id as number)!;
    const converted = convertAnnotation(
      raw,
      category.name,
      joints.get(category.name) ?? null,
      () => ++group.instances,
    );
    for (const reason of converted.problems) problems.push(problem(file.path, reason, where));
    for (const candidate of converted.annotations) {
      const parsed = AnnotationSchema.safeParse(candidate);
      if (parsed.success) group.annotations.push(parsed.data);
      else
        problems.push(
          problem(
            file.path,
            `annotation not imported: ${describeZodError(parsed.error).message}`,
            where,
          ),
        );
    }
  } catch (error) {
    problems.push(problem(file.path, `annotation not imported: ${errorMessage(error)}`, where));
  }
}

async function imageMember(
  archive: ArchiveSource,
  dirs: string[],
  path: string,
): Promise<string | null> {
  for (const dir of dirs) if (await archive.has(`${dir}${path}`)) return `${dir}${path}`;
  return null;
}

type Converted = { annotations: AnnotationInput[]; problems: string[] };

/** One COCO annotation as canonical annotations: a box, polygons (one per ring: COCO rings
 * are a union), or the joints of a keypoint instance. */
function convertAnnotation(
  raw: Record<string, unknown>,
  className: string,
  joints: string[] | null,
  nextInstance: () => number,
): Converted {
  const problems: string[] = [];
  const base = { class_name: className, ...annotationExtras(raw, problems) };
  const out: AnnotationInput[] = [];
  let importedJoints = false;
  if (Array.isArray(raw.keypoints) && raw.keypoints.length > 0) {
    const keypoints = raw.keypoints as unknown[];
    if (!joints) problems.push("keypoints on a category that names no joints are not imported");
    else if (keypoints.length !== joints.length * 3 || !keypoints.every(isFiniteNumber))
      problems.push(
        `keypoints must be ${joints.length * 3} numbers (x, y, v for each joint); not imported`,
      );
    else {
      const present = joints.flatMap((joint, j) => {
        const [x, y, v] = keypoints.slice(j * 3, j * 3 + 3) as number[];
        return v! > 0 ? [{ joint, x: x!, y: y!, occluded: v === 1 }] : [];
      });
      const instance = present.length ? nextInstance() : null;
      importedJoints = present.length > 0;
      for (const p of present)
        out.push({
          ...base,
          type: "keypoint",
          keypoint: { x: p.x, y: p.y },
          instance_id: instance,
          joint: p.joint,
          occluded: p.occluded,
        });
    }
  }

  const segmentation = raw.segmentation;
  if (Array.isArray(segmentation) && segmentation.length > 0) {
    segmentation.forEach((ring, r) => {
      if (
        !Array.isArray(ring) ||
        ring.length < 6 ||
        ring.length % 2 !== 0 ||
        !ring.every(isFiniteNumber)
      ) {
        problems.push(
          `segmentation polygon ${r} must be an even list of at least 6 numbers; not imported`,
        );
        return;
      }
      const points = [];
      for (let k = 0; k < ring.length; k += 2)
        points.push({ x: ring[k] as number, y: ring[k + 1] as number });
      out.push({ ...base, type: "polygon", polygon: { paths: [points] } });
    });
    if (out.length > 0) return { annotations: out, problems };
  } else if (segmentation !== undefined && !Array.isArray(segmentation)) {
    problems.push(
      isRecord(segmentation) && "counts" in segmentation
        ? "RLE mask imported as its bbox: the mask's shape is not kept"
        : "unknown segmentation imported as its bbox",
    );
  }
  if (importedJoints) return { annotations: out, problems }; // the box only encloses the joints

  const bbox = raw.bbox;
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(isFiniteNumber))
    problems.push("bbox must be 4 finite numbers [x, y, width, height]; not imported");
  else {
    const [x, y, w, h] = bbox as number[];
    out.push({ ...base, type: "bbox", bbox: { x: x!, y: y!, w: w!, h: h! } });
  }
  return { annotations: out, problems };
}

/** attributes (with CVAT's `occluded` taken out of them) and score. */
function annotationExtras(raw: Record<string, unknown>, problems: string[]) {
  const attributes: Record<string, AttributeValue> = {};
  let occluded = false;
  if (raw.attributes !== undefined && !isRecord(raw.attributes))
    problems.push("attributes must be an object; ignored");
  if (isRecord(raw.attributes)) {
    for (const [name, value] of Object.entries(raw.attributes)) {
      if (name === "occluded" && typeof value === "boolean") occluded = value;
      else if (typeof value === "string" || typeof value === "boolean" || isFiniteNumber(value))
        attributes[name] = value;
      else
        problems.push(
          `attribute ${JSON.stringify(name)} must be text, a number or true/false; ignored`,
        );
    }
  }
  let confidence: number | null = null;
  if (raw.score !== undefined) {
    if (isFiniteNumber(raw.score) && raw.score >= 0 && raw.score <= 1) confidence = raw.score;
    else problems.push("score must be a number from 0 to 1; ignored");
  }
  return { attributes, occluded, confidence };
}
