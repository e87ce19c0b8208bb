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
import { DEFAULT_MAX_JSON_BYTES, readJsonMember } from "../core/json-member";
import { paletteColor } from "../core/palette";
import type { ArchiveSource, FormatReader, ImportedImage, ReadOptions } from "../core/types";

type CocoFile = { path: string; subset: string; split: Split | null; imageDirs: string[] };
type ParsedFile = CocoFile & {
  doc: Record<string, unknown>;
  categories: Map<number, CocoCategory>;
};
type CocoCategory = { name: string; keypoints: string[] | null };

const SPLIT_NAMES: Record<string, Split> = {
  train: "train",
  val: "val",
  valid: "val",
  validation: "val",
  test: "test",
};

export const readCoco: FormatReader = async (archive: ArchiveSource, options: ReadOptions = {}) => {
  const maxBytes = options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  const problems: ImportProblem[] = [];
  const files = await findCocoFiles(archive, problems);
  const parsed: ParsedFile[] = [];
  for (const file of files) {
    const doc = await readJsonMember(archive, file.path, maxBytes, problems);
    if (doc === undefined) continue;
    if (!isRecord(doc)) {
      problems.push(problem(file.path, "a COCO file must be a JSON object"));
      continue;
    }
    parsed.push({ ...file, doc, categories: readCategories(doc, file.path, problems) });
  }
  const classes = classList(parsed);
  return { classes, problems, images: readImages(archive, parsed, classes, problems) };
};

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

function readCategories(
  doc: Record<string, unknown>,
  file: string,
  problems: ImportProblem[],
): Map<number, CocoCategory> {
  const categories = new Map<number, CocoCategory>();
  if (!Array.isArray(doc.categories)) {
    problems.push(problem(file, "categories must be a list", { element: "categories" }));
    return categories;
  }
  const used = new Set<unknown>(
    Array.isArray(doc.annotations)
      ? doc.annotations.map((a) => (isRecord(a) ? a.category_id : null))
      : [],
  );
  const supercategories = new Set(
    doc.categories.map((c) => (isRecord(c) ? c.supercategory : null)),
  );
  doc.categories.forEach((raw, i) => {
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
    if (supercategories.has(name.data) && !used.has(raw.id)) return;
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
function classList(files: ParsedFile[]): ClassDef[] {
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

async function* readImages(
  archive: ArchiveSource,
  files: ParsedFile[],
  classes: ClassDef[],
  problems: ImportProblem[],
): AsyncGenerator<ImportedImage> {
  const joints = new Map(classes.map((c) => [c.name, c.keypoints]));
  const seenPaths = new Set<string>();
  for (const file of files) {
    const { doc } = file;
    if (!Array.isArray(doc.images)) {
      problems.push(problem(file.path, "images must be a list", { element: "images" }));
      continue;
    }
    const byImage = annotationsByImage(file, doc.images, problems);
    const done = new Set<number>();
    for (let i = 0; i < doc.images.length; i++) {
      const element = `images[${i}]`;
      try {
        const raw = doc.images[i];
        // Bad and repeated ids were reported by annotationsByImage.
        if (!isRecord(raw) || !Number.isInteger(raw.id) || done.has(raw.id as number)) continue;
        done.add(raw.id as number);
        const annotations: Annotation[] = [];
        let instance = 0;
        for (const [index, ann] of byImage.get(raw.id as number) ?? []) {
          const category = file.categories.get(ann.category_id as number)!;
          const converted = convertAnnotation(
            ann,
            category.name,
            joints.get(category.name) ?? null,
            () => ++instance,
          );
          const where = { element: `annotations[${index}]` };
          for (const reason of converted.problems) problems.push(problem(file.path, reason, where));
          for (const candidate of converted.annotations) {
            const parsed = AnnotationSchema.safeParse(candidate);
            if (parsed.success) annotations.push(parsed.data);
            else
              problems.push(
                problem(
                  file.path,
                  `annotation not imported: ${describeZodError(parsed.error).message}`,
                  where,
                ),
              );
          }
        }
        const image = checkImage(
          {
            path: raw.file_name,
            width: raw.width,
            height: raw.height,
            split: file.split,
            annotations,
          },
          file.path,
          problems,
          { element },
        );
        if (!image) continue;
        if (seenPaths.has(image.path)) {
          problems.push(
            problem(
              file.path,
              `image ${JSON.stringify(image.path)} appears twice; the second is not imported`,
              { element },
            ),
          );
          continue;
        }
        seenPaths.add(image.path);
        yield { image, file: await imageMember(archive, file.imageDirs, image.path) };
      } catch (error) {
        problems.push(
          problem(file.path, `image not imported: ${errorMessage(error)}`, { element }),
        );
      }
    }
  }
}

/** The file's annotations by image id, each with its index; bad references reported. */
function annotationsByImage(
  file: ParsedFile,
  images: unknown[],
  problems: ImportProblem[],
): Map<number, Array<[number, Record<string, unknown>]>> {
  const byImage = new Map<number, Array<[number, Record<string, unknown>]>>();
  images.forEach((raw, i) => {
    const element = `images[${i}]`;
    if (!isRecord(raw) || !Number.isInteger(raw.id))
      problems.push(problem(file.path, "image needs a whole-number id", { element }));
    else if (byImage.has(raw.id as number))
      problems.push(
        problem(file.path, `image id ${raw.id} is listed twice; the second is not imported`, {
          element,
        }),
      );
    else byImage.set(raw.id as number, []);
  });
  const list = file.doc.annotations;
  if (!Array.isArray(list)) {
    problems.push(problem(file.path, "annotations must be a list", { element: "annotations" }));
    return byImage;
  }
  list.forEach((raw, i) => {
    const element = `annotations[${i}]`;
    if (!isRecord(raw))
      problems.push(problem(file.path, "annotation must be an object", { element }));
    else if (!byImage.has(raw.image_id as number))
      problems.push(
        problem(
          file.path,
          `annotation refers to image id ${String(raw.image_id)}, which is not in images`,
          { element },
        ),
      );
    else if (!file.categories.has(raw.category_id as number))
      problems.push(
        problem(
          file.path,
          `annotation refers to category id ${String(raw.category_id)}, which is not in categories`,
          {
            element,
          },
        ),
      );
    else byImage.get(raw.image_id as number)!.push([i, raw]);
  });
  return byImage;
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
