// Reads Pascal VOC detection trees (D14, FORMATS.md §5): ours, datumaro's and LabelImg's.
// Items come from ImageSets/Main/*.txt (every Annotations/*.xml when there is none), classes
// from labelmap.txt (object names when there is none), boxes through the exact inverse of the
// devkit convention the writer uses. Never throws on input: problems say what was left out.
import {
  AnnotationSchema,
  ClassDefSchema,
  describeZodError,
  pathExtension,
  pathStem,
  type Annotation,
  type AttributeValue,
  type ClassDef,
  type ImportProblem,
  type Split,
} from "@pictograph/schema";
import { measureImage } from "../core/image-dimensions";
import { checkImage, problem } from "../core/import-problems";
import { readTextMember } from "../core/json-member";
import { paletteColor } from "../core/palette";
import { strictInteger, strictNumber, typedAttributeValue } from "../core/text-values";
import type { ArchiveSource, FormatReader, ImportedImage } from "../core/types";
import {
  childElement,
  childElements,
  childText,
  parseXmlDocument,
  readXmlMember,
  type XmlElement,
} from "../core/xml-reader";
import { LABELMAP_HEADER } from "./write";

/** One VOC annotation is a few kilobytes; anything near this is not one. */
const MAX_ANNOTATION_BYTES = 16 * 1024 * 1024;
const MAX_LIST_BYTES = 256 * 1024 * 1024;
const SPLIT_LISTS: Split[] = ["train", "val", "test"];

type Item = { id: string; split: Split | null };

export const readPascalVoc: FormatReader = async (archive, options = {}) => {
  const problems: ImportProblem[] = [];
  const maxXmlBytes = Math.min(options.maxJsonBytes ?? MAX_ANNOTATION_BYTES, MAX_ANNOTATION_BYTES);
  const members: string[] = [];
  for await (const member of archive.members()) members.push(member.path);

  const annotationIds = new Set(
    members
      .filter((p) => p.startsWith("Annotations/") && /\.xml$/i.test(p))
      .map((p) => p.slice(12, -4)),
  );
  const items = await listItems(archive, members, annotationIds, problems);

  let classes: ClassDef[];
  if (members.includes("labelmap.txt")) {
    const text = await readTextMember(archive, "labelmap.txt", MAX_LIST_BYTES, problems);
    classes = text === undefined ? [] : parseLabelmap(text, problems);
  } else {
    classes = await classesFromObjects(archive, [...annotationIds].sort(), maxXmlBytes, problems);
  }
  const known = new Set(classes.map((c) => c.name));
  const imageFiles = imageMembersByStem(members);
  const memberSet = new Set(members);

  async function* images(): AsyncGenerator<ImportedImage> {
    for (const item of items) {
      const file = `Annotations/${item.id}.xml`;
      const root = await readAnnotationXml(archive, file, maxXmlBytes, problems);
      if (!root) continue;
      const imported = await readItem(root, item, file, {
        archive,
        known,
        imageFiles,
        memberSet,
        problems,
      });
      if (imported) yield imported;
    }
  }

  return { classes, images: images(), problems };
};

async function listItems(
  archive: ArchiveSource,
  members: string[],
  annotationIds: Set<string>,
  problems: ImportProblem[],
): Promise<Item[]> {
  const lists = members.filter((p) => /^ImageSets\/Main\/[^/]+\.txt$/.test(p));
  const rank = (path: string) => {
    const index = SPLIT_LISTS.indexOf(listName(path) as Split);
    return index < 0 ? SPLIT_LISTS.length : index;
  };
  lists.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  if (!lists.length) {
    if (annotationIds.size)
      problems.push(
        problem(
          "ImageSets/Main",
          "no ImageSets/Main/*.txt lists: every Annotations/*.xml was read instead",
        ),
      );
    return [...annotationIds].sort().map((id) => ({ id, split: null }));
  }

  const items: Item[] = [];
  const listed = new Set<string>();
  for (const list of lists) {
    const text = await readTextMember(archive, list, MAX_LIST_BYTES, problems);
    if (text === undefined) continue;
    const name = listName(list);
    const split = (SPLIT_LISTS as string[]).includes(name) ? (name as Split) : null;
    text.split("\n").forEach((raw, index) => {
      const line = raw.replace(/\r$/, "");
      if (!line.trim()) return;
      // Whole line first (ids may hold spaces), then the first field of "<id> 1" class lists.
      const id = annotationIds.has(line) ? line : line.trim().split(/\s+/)[0]!;
      if (!annotationIds.has(id)) {
        problems.push(
          problem(list, `"${line}" is listed but there is no Annotations/${id}.xml`, {
            line: index + 1,
          }),
        );
        return;
      }
      if (listed.has(id)) return; // trainval and class lists repeat ids
      listed.add(id);
      items.push({ id, split });
    });
  }
  for (const id of [...annotationIds].sort()) {
    if (listed.has(id)) continue;
    problems.push(
      problem(
        `Annotations/${id}.xml`,
        "not listed in any ImageSets/Main/*.txt; imported without a split",
      ),
    );
    items.push({ id, split: null });
  }
  return items;
}

const listName = (path: string) => path.slice(path.lastIndexOf("/") + 1, -4);

/** labelmap.txt lines `name:r,g,b:parts:actions`; the name is everything before the last three ':'. */
export function parseLabelmap(text: string, problems: ImportProblem[]): ClassDef[] {
  const classes: ClassDef[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/\r$/, "");
    if (!line.trim() || line === LABELMAP_HEADER) return;
    const fields = line.split(":");
    const color = fields.length >= 4 ? fields[fields.length - 3]!.trim() : null;
    const rgb =
      color === null ? null : color === "" ? [] : color.split(",").map((c) => strictInteger(c));
    const valid =
      rgb !== null &&
      (rgb.length === 0 ||
        (rgb.length === 3 && rgb.every((c) => c !== undefined && c <= 255 && c >= 0)));
    if (!valid) {
      if (!line.startsWith("#"))
        problems.push(
          problem("labelmap.txt", `line not understood (expected name:r,g,b:parts:actions)`, {
            line: index + 1,
          }),
        );
      return;
    }
    const name = fields.slice(0, -3).join(":").trim();
    const hex = rgb.length
      ? `#${rgb.map((c) => c!.toString(16).padStart(2, "0")).join("")}`
      : paletteColor(classes.length);
    if (classes.some((c) => c.name === name)) {
      problems.push(
        problem("labelmap.txt", `label "${name}" is listed twice; the first is used`, {
          line: index + 1,
        }),
      );
      return;
    }
    const parsed = ClassDefSchema.safeParse({ name, color: hex });
    if (parsed.success) classes.push(parsed.data);
    else
      problems.push(
        problem("labelmap.txt", `label not imported: ${describeZodError(parsed.error).message}`, {
          line: index + 1,
        }),
      );
  });
  return classes;
}

async function classesFromObjects(
  archive: ArchiveSource,
  sortedIds: string[],
  maxBytes: number,
  problems: ImportProblem[],
): Promise<ClassDef[]> {
  const names: string[] = [];
  // Parse problems are reported once, when the images are read.
  const quiet: ImportProblem[] = [];
  for (const id of sortedIds) {
    const root = await readAnnotationXml(archive, `Annotations/${id}.xml`, maxBytes, quiet);
    for (const object of root ? childElements(root, "object") : []) {
      const name = childText(object, "name");
      if (name && !names.includes(name)) names.push(name);
    }
  }
  const classes: ClassDef[] = [];
  for (const name of names) {
    const parsed = ClassDefSchema.safeParse({ name, color: paletteColor(classes.length) });
    if (parsed.success) classes.push(parsed.data);
  }
  if (sortedIds.length)
    problems.push(
      problem(
        "labelmap.txt",
        "no labelmap.txt: classes are the object names, in order of first appearance by sorted id, with generated colors",
      ),
    );
  return classes;
}

async function readAnnotationXml(
  archive: ArchiveSource,
  file: string,
  maxBytes: number,
  problems: ImportProblem[],
): Promise<XmlElement | null> {
  const bytes = await readXmlMember(archive, file, maxBytes, problems);
  if (!bytes) return null;
  const root = parseXmlDocument(bytes, file, problems);
  if (root && root.name !== "annotation") {
    problems.push(
      problem(file, `root element is <${root.name}>, not <annotation>; not imported`, {
        line: root.line,
      }),
    );
    return null;
  }
  return root;
}

/** JPEGImages members by path without extension, for ids whose <filename> is missing or stale. */
function imageMembersByStem(members: string[]): Map<string, string> {
  const byStem = new Map<string, string>();
  for (const member of members) {
    if (!member.startsWith("JPEGImages/")) continue;
    const relative = member.slice(11);
    const extension = pathExtension(relative);
    const stem = extension ? relative.slice(0, -extension.length) : relative;
    if (!byStem.has(stem)) byStem.set(stem, member);
  }
  return byStem;
}

type ItemContext = {
  archive: ArchiveSource;
  known: Set<string>;
  imageFiles: Map<string, string>;
  memberSet: Set<string>;
  problems: ImportProblem[];
};

async function readItem(
  root: XmlElement,
  item: Item,
  file: string,
  ctx: ItemContext,
): Promise<ImportedImage | null> {
  const { problems } = ctx;
  const slash = item.id.lastIndexOf("/");
  const folder = slash < 0 ? "" : item.id.slice(0, slash + 1);
  // <filename> may be a full path (LabelImg writes <path> beside it; some tools put it here).
  const filename = (childText(root, "filename") ?? "").replace(/\\/g, "/").split("/").pop() ?? "";
  const named = `JPEGImages/${folder}${filename}`;
  const member =
    filename && ctx.memberSet.has(named) ? named : (ctx.imageFiles.get(item.id) ?? null);
  const base = item.id.slice(slash + 1);
  const path = member
    ? member.slice(11)
    : filename && pathStem(filename) === base
      ? folder + filename
      : `${item.id}${pathExtension(filename) || ".jpg"}`;

  const size = childElement(root, "size");
  let width = size ? strictInteger(childText(size, "width")) : undefined;
  let height = size ? strictInteger(childText(size, "height")) : undefined;
  if (!(width && width > 0 && height && height > 0)) {
    const measured = member
      ? await measureImage(ctx.archive, member)
      : { error: "no image file to measure" };
    if ("error" in measured) {
      problems.push(
        problem(file, `no valid <size> (${measured.error}); not imported`, { element: "size" }),
      );
      return null;
    }
    ({ width, height } = measured);
  }

  const annotations: Annotation[] = [];
  for (const object of childElements(root, "object")) {
    const annotation = readObject(object, file, ctx);
    if (annotation) annotations.push(annotation);
  }
  const image = checkImage(
    { path, width, height, split: item.split, annotations },
    file,
    problems,
    "annotation",
  );
  return image ? { image, file: member } : null;
}

function readObject(object: XmlElement, file: string, ctx: ItemContext): Annotation | null {
  const report = (reason: string, element: XmlElement = object) =>
    ctx.problems.push(problem(file, reason, { line: element.line, element: element.name }));
  const name = childText(object, "name") ?? "";
  if (!ctx.known.has(name)) {
    report(`object class "${name}" is not in labelmap.txt; not imported`);
    return null;
  }
  const bndbox = childElement(object, "bndbox");
  const [xmin, ymin, xmax, ymax] = ["xmin", "ymin", "xmax", "ymax"].map((k) =>
    bndbox ? strictNumber(childText(bndbox, k)) : undefined,
  );
  if (xmin === undefined || ymin === undefined || xmax === undefined || ymax === undefined) {
    report(
      `object "${name}" needs a <bndbox> with numeric xmin, ymin, xmax, ymax; not imported`,
      bndbox ?? object,
    );
    return null;
  }
  for (const part of childElements(object, "part"))
    report("object parts (VOC layout) are not imported", part);

  const attributes: Record<string, AttributeValue> = {};
  const attributeList = childElement(object, "attributes");
  for (const attribute of attributeList ? childElements(attributeList, "attribute") : []) {
    const key = childElement(attribute, "name")?.text;
    const value = childElement(attribute, "value")?.text ?? "";
    if (key) attributes[key] = typedAttributeValue(value, undefined)!;
    else report("<attribute> without a <name> ignored", attribute);
  }
  for (const flag of ["truncated", "difficult"]) {
    if ((strictNumber(childText(object, flag)) ?? 0) !== 0 && !(flag in attributes))
      attributes[flag] = true;
  }
  const pose = childText(object, "pose");
  if (pose && pose !== "Unspecified" && !("pose" in attributes)) attributes.pose = pose;

  const parsed = AnnotationSchema.safeParse({
    type: "bbox",
    class_name: name,
    // Exact inverse of the devkit convention: xmin is 1-based, xmax inclusive.
    bbox: { x: xmin - 1, y: ymin - 1, w: xmax - xmin + 1, h: ymax - ymin + 1 },
    attributes,
    occluded: (strictNumber(childText(object, "occluded")) ?? 0) !== 0,
  });
  if (parsed.success) return parsed.data;
  report(`object "${name}" not imported: ${describeZodError(parsed.error).message}`);
  return null;
}
