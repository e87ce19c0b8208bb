// Reads YOLO detection datasets: our Ultralytics layout (data.yaml, images/<split>/,
// labels/<split>/), datumaro's Ultralytics-style tree (obj.names, no data.yaml) and
// Roboflow's <split>/images + <split>/labels. Labels pair with images as Ultralytics pairs
// them (last `images` folder → `labels`, extension → .txt). Image sizes are measured from
// the image files, EXIF orientation applied. Untrusted input: problems, never throws.
import { parseDocument } from "yaml";
import {
  AnnotationSchema,
  ClassNameSchema,
  describeZodError,
  type Annotation,
  type AnnotationInput,
  type ClassDef,
  type ImportProblem,
  type Split,
} from "@pictograph/schema";
import { clipBox } from "../core/geometry";
import { measureImage, IMAGE_EXTENSIONS } from "../core/image-dimensions";
import { checkImage, errorMessage, isRecord, problem } from "../core/import-problems";
import { DEFAULT_MAX_JSON_BYTES, readTextMember } from "../core/json-member";
import { paletteColor } from "../core/palette";
import type { ArchiveSource, FormatReader, ImportedImage, ReadOptions } from "../core/types";
import { labelPath } from "./label-path";

const SPLIT_NAMES: Record<string, Split> = {
  train: "train",
  val: "val",
  valid: "val",
  validation: "val",
  test: "test",
};

type ClassIndex = {
  classes: ClassDef[];
  byIndex: Map<number, string>;
  keypointColumns: number | null;
};
type SplitFolders = { folders: Array<{ prefix: string; split: Split | null }> };
type FoundImage = { member: string; path: string; split: Split | null; label: string };

export const readYolo: FormatReader = async (archive: ArchiveSource, options: ReadOptions = {}) => {
  const maxBytes = options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  const problems: ImportProblem[] = [];
  const members = new Set<string>();
  try {
    for await (const { path } of archive.members()) members.add(path);
  } catch (error) {
    problems.push(problem("", `cannot list the archive: ${errorMessage(error)}`));
  }
  const yaml = await readDataYaml(archive, members, maxBytes, problems);
  const classIndex = await readClasses(archive, members, yaml, maxBytes, problems);
  const images = findImages(members, splitFolders(yaml), problems);
  return {
    classes: classIndex.classes,
    problems,
    images: readImages(archive, images, classIndex, maxBytes, problems),
  };
};

type DataYaml = { file: string; doc: Record<string, unknown> } | null;

async function readDataYaml(
  archive: ArchiveSource,
  members: Set<string>,
  maxBytes: number,
  problems: ImportProblem[],
): Promise<DataYaml> {
  const file = ["data.yaml", "data.yml"].find((f) => members.has(f));
  if (!file) return null;
  const text = await readTextMember(archive, file, maxBytes, problems);
  if (text === undefined) return null;
  try {
    const document = parseDocument(text, { uniqueKeys: false });
    if (document.errors.length) {
      const error = document.errors[0]!;
      problems.push(
        problem(file, `not valid YAML: ${error.message.split("\n")[0]}`, {
          line: error.linePos?.[0].line ?? null,
        }),
      );
      return null;
    }
    const doc: unknown = document.toJS({ maxAliasCount: 100 });
    if (!isRecord(doc)) {
      problems.push(problem(file, "data.yaml must be a mapping"));
      return null;
    }
    return { file, doc };
  } catch (error) {
    problems.push(problem(file, `not valid YAML: ${errorMessage(error)}`));
    return null;
  }
}

/** Classes from data.yaml `names` (list or index map), else obj.names / classes.txt. */
async function readClasses(
  archive: ArchiveSource,
  members: Set<string>,
  yaml: DataYaml,
  maxBytes: number,
  problems: ImportProblem[],
): Promise<ClassIndex> {
  let entries: Array<[number, unknown]> | null = null;
  let file = "";
  const names = yaml?.doc.names;
  if (yaml && names !== undefined) {
    file = yaml.file;
    if (Array.isArray(names)) entries = names.map((n, i) => [i, n]);
    else if (isRecord(names)) {
      entries = [];
      for (const [key, value] of Object.entries(names)) {
        if (/^\d+$/.test(key) && Number(key) < 1e6) entries.push([Number(key), value]);
        else
          problems.push(
            problem(file, `names key ${JSON.stringify(key)} is not a class index; ignored`, {
              element: "names",
            }),
          );
      }
      entries.sort(([a], [b]) => a - b);
    } else
      problems.push(
        problem(file, "names must be a list or an index → name map", { element: "names" }),
      );
  }
  if (!entries) {
    file = ["obj.names", "classes.txt"].find((f) => members.has(f)) ?? "";
    const text = file ? await readTextMember(archive, file, maxBytes, problems) : undefined;
    if (text !== undefined) {
      const lines = text.split(/\r?\n/);
      while (lines.length && lines[lines.length - 1]!.trim() === "") lines.pop();
      entries = lines.map((line, i) => [i, line.trim()]);
    } else if (!file)
      problems.push(
        problem("data.yaml", "no class names found (data.yaml names, obj.names or classes.txt)"),
      );
  }
  const classes: ClassDef[] = [];
  const byIndex = new Map<number, string>();
  for (const [index, raw] of entries ?? []) {
    const name = ClassNameSchema.safeParse(typeof raw === "number" ? String(raw) : raw);
    if (!name.success) {
      problems.push(
        problem(file, `class ${index} not imported: ${describeZodError(name.error).message}`, {
          element: `names[${index}]`,
        }),
      );
      continue;
    }
    if (!classes.some((c) => c.name === name.data))
      classes.push({
        name: name.data,
        color: paletteColor(classes.length),
        attributes: [],
        keypoints: null,
      });
    byIndex.set(index, name.data);
  }
  const nc = yaml?.doc.nc;
  if (yaml && nc !== undefined && nc !== (entries?.length ?? 0))
    problems.push(
      problem(
        yaml.file,
        `nc is ${JSON.stringify(nc)} but names lists ${entries?.length ?? 0} classes`,
        { element: "nc" },
      ),
    );
  const shape = yaml?.doc.kpt_shape;
  const keypointColumns =
    Array.isArray(shape) && shape.length === 2 && shape.every((n) => Number.isInteger(n))
      ? shape[0] * shape[1]
      : null;
  return { classes, byIndex, keypointColumns };
}

/** data.yaml's train/val/test folders. A folder listed as both train and val (our export of
 * a dataset without splits) means "no split". */
function splitFolders(yaml: DataYaml): SplitFolders {
  const folders: Array<{ prefix: string; split: Split | null }> = [];
  if (!yaml) return { folders };
  for (const split of ["train", "val", "test"] as const) {
    const value = yaml.doc[split];
    const list =
      typeof value === "string"
        ? [value]
        : Array.isArray(value)
          ? value.filter((v) => typeof v === "string")
          : [];
    for (const entry of list) {
      const prefix = folderPrefix(entry as string);
      if (prefix === null) continue;
      const existing = folders.find((f) => f.prefix === prefix);
      if (existing) existing.split = null;
      else folders.push({ prefix, split });
    }
  }
  return { folders };
}

/** `./images/train`, `../train/images` → `images/train/`, `train/images/`. */
function folderPrefix(entry: string): string | null {
  const segments = entry.split("/").filter((s) => s !== "" && s !== "." && s !== "..");
  if (segments.length === 0 || entry.endsWith(".txt")) return null;
  return segments.join("/") + "/";
}

function findImages(
  members: Set<string>,
  { folders }: SplitFolders,
  problems: ImportProblem[],
): FoundImage[] {
  const found: FoundImage[] = [];
  const labels = new Set<string>();
  for (const member of members) {
    const dot = member.lastIndexOf(".");
    if (dot < 0 || !IMAGE_EXTENSIONS.has(member.slice(dot).toLowerCase())) continue;
    const segments = member.split("/");
    const at = segments.lastIndexOf("images");
    if (at < 0) continue;
    const label = labelPath(member);
    labels.add(label);
    const folder = folders.find((f) => member.startsWith(f.prefix));
    if (folder) {
      found.push({ member, path: member.slice(folder.prefix.length), split: folder.split, label });
      continue;
    }
    // No data.yaml folder holds it: images/<split>/… or <split>/images/….
    const after = segments.slice(at + 1);
    const inner = after.length > 1 ? SPLIT_NAMES[after[0]!.toLowerCase()] : undefined;
    const outer = at > 0 ? SPLIT_NAMES[segments[at - 1]!.toLowerCase()] : undefined;
    const split = inner ?? outer ?? null;
    found.push({ member, path: (inner ? after.slice(1) : after).join("/"), split, label });
  }
  for (const member of members)
    if (member.endsWith(".txt") && member.split("/").includes("labels") && !labels.has(member))
      problems.push(
        problem(member, "label file has no image file (expected under the matching images folder)"),
      );
  return found;
}

async function* readImages(
  archive: ArchiveSource,
  found: FoundImage[],
  classIndex: ClassIndex,
  maxBytes: number,
  problems: ImportProblem[],
): AsyncGenerator<ImportedImage> {
  const seen = new Set<string>();
  for (const item of found) {
    try {
      if (seen.has(item.path)) {
        problems.push(
          problem(
            item.member,
            `image ${JSON.stringify(item.path)} appears twice; the second is not imported`,
          ),
        );
        continue;
      }
      const size = await measureImage(archive, item.member);
      if ("error" in size) {
        problems.push(problem(item.member, `image not imported: ${size.error}`));
        continue;
      }
      let annotations: Annotation[] = [];
      if (await archive.has(item.label)) {
        const text = await readTextMember(archive, item.label, maxBytes, problems);
        if (text !== undefined)
          annotations = labelAnnotations(text, item.label, size, classIndex, problems);
      }
      const image = checkImage(
        { path: item.path, ...size, split: item.split, annotations },
        item.member,
        problems,
      );
      if (!image) continue;
      seen.add(image.path);
      yield { image, file: item.member };
    } catch (error) {
      problems.push(problem(item.member, `image not imported: ${errorMessage(error)}`));
    }
  }
}

/** Pixels to a millionth: finer than any 6-decimal normalised value, without float noise. */
const round = (v: number) => Math.round(v * 1e6) / 1e6;

function labelAnnotations(
  text: string,
  file: string,
  size: { width: number; height: number },
  { byIndex, keypointColumns }: ClassIndex,
  problems: ImportProblem[],
): Annotation[] {
  const { width: W, height: H } = size;
  const out: Annotation[] = [];
  text.split(/\r?\n|\r/).forEach((raw, i) => {
    const line = i + 1;
    const tokens = raw.trim().split(/\s+/).filter(Boolean);
    if (tokens.length === 0) return;
    const report = (reason: string) => problems.push(problem(file, reason, { line }));
    const className = /^\d+$/.test(tokens[0]!) ? byIndex.get(Number(tokens[0])) : undefined;
    if (className === undefined)
      return report(`class ${JSON.stringify(tokens[0])} is not a class index in names`);
    const values = tokens.slice(1).map(Number);
    if (!values.every(Number.isFinite)) return report("coordinates must be numbers");
    let candidate: AnnotationInput;
    const pose = keypointColumns !== null && values.length === 4 + keypointColumns;
    if (values.length === 4 || pose) {
      if (pose) report("pose keypoints are not imported; the box is");
      const [cx, cy, w, h] = values as [number, number, number, number];
      const x1 = round((cx - w / 2) * W);
      const y1 = round((cy - h / 2) * H);
      const box = clipBox(
        { x: x1, y: y1, w: round((cx + w / 2) * W) - x1, h: round((cy + h / 2) * H) - y1 },
        W,
        H,
      );
      if (!box) return report("box has no area inside the image");
      candidate = {
        type: "bbox",
        class_name: className,
        bbox: { x: box.x, y: box.y, w: round(box.w), h: round(box.h) },
      };
    } else if (values.length >= 6 && values.length % 2 === 0) {
      const points = [];
      for (let k = 0; k < values.length; k += 2)
        points.push({ x: round(values[k]! * W), y: round(values[k + 1]! * H) });
      candidate = { type: "polygon", class_name: className, polygon: { paths: [points] } };
    } else
      return report(
        `expected "class cx cy w h" or a polygon "class x1 y1 x2 y2 x3 y3 …", got ${tokens.length} values`,
      );
    const parsed = AnnotationSchema.safeParse(candidate);
    if (parsed.success) out.push(parsed.data);
    else report(`annotation not imported: ${describeZodError(parsed.error).message}`);
  });
  return out;
}
