// Reads TensorFlow Object Detection CSV (ours, Roboflow's <split>/_annotations.csv,
// raccoon_dataset's *_labels.csv). RFC 4180 with CRLF tolerated; a bad row is reported with
// its line number and skipped, never fatal. Image files under images/ that no row names
// come in as images without annotations, sized from their bytes.
import {
  AnnotationSchema,
  ClassNameSchema,
  describeZodError,
  type Annotation,
  type ClassDef,
  type ImportProblem,
  type Split,
} from "@pictograph/schema";
import { parseCsv } from "../core/csv-text";
import { IMAGE_EXTENSIONS, measureImage } from "../core/image-dimensions";
import { checkImage, errorMessage, problem } from "../core/import-problems";
import { DEFAULT_MAX_JSON_BYTES, readTextMember } from "../core/json-member";
import { paletteColor } from "../core/palette";
import type { ArchiveSource, FormatReader, ImportedImage, ReadOptions } from "../core/types";
import { CSV_HEADER } from "./write";

const SPLIT_NAMES: Record<string, Split> = {
  train: "train",
  val: "val",
  valid: "val",
  validation: "val",
  test: "test",
};
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

type CsvImage = {
  file: string;
  line: number;
  path: string;
  width: number;
  height: number;
  split: Split | null;
  annotations: Annotation[];
  imageDirs: string[];
};

export const readCsv: FormatReader = async (archive: ArchiveSource, options: ReadOptions = {}) => {
  const maxBytes = options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  const problems: ImportProblem[] = [];
  const members: string[] = [];
  try {
    for await (const { path } of archive.members()) members.push(path);
  } catch (error) {
    problems.push(problem("", `cannot list the archive: ${errorMessage(error)}`));
  }
  const csvFiles = members.includes("annotations.csv")
    ? ["annotations.csv"]
    : members.filter((m) => m.endsWith(".csv"));
  if (csvFiles.length === 0)
    problems.push(problem("", "no CSV file found (expected annotations.csv)"));

  const classNames: string[] = [];
  const images = new Map<string, CsvImage>();
  for (const file of csvFiles) {
    const text = await readTextMember(archive, file, maxBytes, problems);
    if (text !== undefined) readRows(file, text, images, classNames, problems);
  }
  const classes: ClassDef[] = classNames.map((name, i) => ({
    name,
    color: paletteColor(i),
    attributes: [],
    keypoints: null,
  }));
  // Unnamed images are looked for in images/ beside a CSV, or beside a CSV in a folder
  // (Roboflow's <split>/), never anywhere in the archive.
  const dirs = [...new Set(csvFiles.flatMap((f) => imageDirsOf(f).filter((d) => d !== "")))];
  return { classes, problems, images: readImages(archive, images, members, dirs, problems) };
};

/** Where a CSV's images live: images/ beside it, or beside it directly (Roboflow). */
function imageDirsOf(file: string): string[] {
  const dir = file.slice(0, file.lastIndexOf("/") + 1);
  return [`${dir}images/`, dir];
}

function splitOf(file: string): Split | null {
  const segments = file.split("/");
  const base = segments[segments.length - 1]!.toLowerCase();
  const dir = segments.length > 1 ? segments[segments.length - 2]!.toLowerCase() : "";
  if (base === "_annotations.csv" && SPLIT_NAMES[dir]) return SPLIT_NAMES[dir];
  const prefix = /^(train|val|valid|validation|test)(?![a-z])/.exec(base);
  return prefix ? SPLIT_NAMES[prefix[1]!]! : null;
}

function readRows(
  file: string,
  text: string,
  images: Map<string, CsvImage>,
  classNames: string[],
  problems: ImportProblem[],
): void {
  const { rows, errors } = parseCsv(text);
  for (const error of errors)
    problems.push(problem(file, `row not imported: ${error.reason}`, { line: error.line }));
  const [header, ...data] = rows;
  if (!header) {
    problems.push(problem(file, "the CSV is empty"));
    return;
  }
  const column = new Map(header.fields.map((name, i) => [name.trim(), i]));
  const missing = CSV_HEADER.filter((name) => !column.has(name));
  if (missing.length) {
    problems.push(
      problem(
        file,
        `header must name the columns ${CSV_HEADER.join(",")}; missing: ${missing.join(", ")}`,
        {
          line: header.line,
        },
      ),
    );
    return;
  }
  const split = splitOf(file);
  const inThisFile = new Set<string>();
  for (const { line, fields } of data) {
    const report = (reason: string) =>
      problems.push(problem(file, `row not imported: ${reason}`, { line }));
    const field = (name: string) => (fields[column.get(name)!] ?? "").trim();
    if (fields.length !== header.fields.length) {
      report(`expected ${header.fields.length} fields, found ${fields.length}`);
      continue;
    }
    const path = field("filename");
    const [width, height] = [field("width"), field("height")].map((v) =>
      /^\d{1,7}$/.test(v) ? Number(v) : NaN,
    );
    if (!(width! > 0 && height! > 0)) {
      report("width and height must be whole numbers of pixels");
      continue;
    }
    const coordinates = ["xmin", "ymin", "xmax", "ymax"].map(field);
    if (!coordinates.every((v) => NUMBER.test(v) && Number.isFinite(Number(v)))) {
      report("xmin, ymin, xmax and ymax must be numbers");
      continue;
    }
    const [xmin, ymin, xmax, ymax] = coordinates.map(Number) as [number, number, number, number];
    const name = ClassNameSchema.safeParse(fields[column.get("class")!]);
    if (!name.success) {
      report(describeZodError(name.error).message);
      continue;
    }
    const parsed = AnnotationSchema.safeParse({
      type: "bbox",
      class_name: name.data,
      bbox: { x: xmin, y: ymin, w: tidy(xmax - xmin), h: tidy(ymax - ymin) },
    });
    if (!parsed.success) {
      report(describeZodError(parsed.error).message);
      continue;
    }
    let image = images.get(path);
    if (image && !inThisFile.has(path)) {
      report(`image ${JSON.stringify(path)} already came from ${image.file}`);
      continue;
    }
    if (image && (image.width !== width || image.height !== height)) {
      report(
        `size ${width}x${height} differs from ${image.width}x${image.height} given on line ${image.line}`,
      );
      continue;
    }
    if (!image) {
      image = {
        file,
        line,
        path,
        width: width!,
        height: height!,
        split,
        annotations: [],
        imageDirs: imageDirsOf(file),
      };
      images.set(path, image);
      inThisFile.add(path);
    }
    if (!classNames.includes(name.data)) classNames.push(name.data);
    image.annotations.push(parsed.data);
  }
}

/** Differences of decimals without binary noise (0.3 - 0.1 → 0.2). */
const tidy = (v: number) => Math.round(v * 1e6) / 1e6;

async function* readImages(
  archive: ArchiveSource,
  images: Map<string, CsvImage>,
  members: string[],
  dirs: string[],
  problems: ImportProblem[],
): AsyncGenerator<ImportedImage> {
  const named = new Set<string>();
  for (const item of images.values()) {
    const { file, line, path, width, height, split, annotations } = item;
    let member: string | null = null;
    for (const dir of item.imageDirs)
      if (!member && (await archive.has(dir + path))) member = dir + path;
    if (member) named.add(member);
    const image = checkImage({ path, width, height, split, annotations }, file, problems, { line });
    if (image) yield { image, file: member };
  }
  // Images no row names: the CSV cannot list an image without boxes, the archive can.
  for (const member of members) {
    const dir = dirs.find((d) => member.startsWith(d));
    const dot = member.lastIndexOf(".");
    if (
      !dir ||
      named.has(member) ||
      dot < 0 ||
      !IMAGE_EXTENSIONS.has(member.slice(dot).toLowerCase())
    )
      continue;
    const path = member.slice(dir.length);
    if (images.has(path)) continue;
    const size = await measureImage(archive, member);
    if ("error" in size) {
      problems.push(problem(member, `image without rows not imported: ${size.error}`));
      continue;
    }
    const image = checkImage({ path, ...size, annotations: [] }, member, problems);
    if (image) yield { image, file: member };
  }
}
