// Reads CVAT for images 1.1 XML (D14, FORMATS.md §4): our own annotations.xml, CVAT task and
// project exports (`<image subset>`, images/<Subset>/…) and datumaro's per-subset files
// (`train.xml`). Classes come from <meta>; the images are parsed one <image> at a time.
// Never throws on input: everything it cannot import becomes an ImportProblem.
import {
  AnnotationSchema,
  AttributeSpecSchema,
  ClassDefSchema,
  describeZodError,
  imagePathProblem,
  type Annotation,
  type AttributeSpec,
  type AttributeValue,
  type ClassDef,
  type ImportProblem,
  type Point,
  type Split,
} from "@pictograph/schema";
import { measureImage } from "../core/image-dimensions";
import { checkImage, problem } from "../core/import-problems";
import { DEFAULT_MAX_JSON_BYTES } from "../core/json-member";
import { paletteColor } from "../core/palette";
import { strictInteger, strictNumber, typedAttributeValue } from "../core/text-values";
import type { ArchiveSource, FormatReader, ImportedImage, ReadResult } from "../core/types";
import {
  childElement,
  childElements,
  childText,
  streamXmlMember,
  type XmlElement,
} from "../core/xml-reader";
import { JOINT_ATTRIBUTE } from "./write";

const UNSUPPORTED_SHAPES: Record<string, string> = {
  mask: "masks are not part of the canonical model",
  ellipse: "ellipses are not part of the canonical model",
  cuboid: "cuboids are not part of the canonical model",
  tag: "image-level tags are not annotations in the canonical model",
};

type Source = {
  file: string;
  /** Subset named by the file (datumaro's `train.xml`), when there is no annotations.xml. */
  fileSubset: string | null;
  elements: AsyncGenerator<{ element: XmlElement; ancestors: string[] }, boolean, void>;
};

export const readCvat: FormatReader = async (archive, options = {}) => {
  const problems: ImportProblem[] = [];
  const maxBytes = options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  const labels = new LabelCollector(problems);
  const sources: Source[] = [];

  for (const file of await annotationFiles(archive, problems)) {
    const elements = streamXmlMember(archive, file, maxBytes, problems, { depth: 1 });
    const meta = await readMeta(elements, file, problems);
    if (!meta) {
      await elements.return(false); // closes the member's stream
      continue;
    }
    labels.addMeta(meta, file);
    sources.push({
      file,
      fileSubset: file === "annotations.xml" ? null : file.slice(0, -4),
      elements,
    });
  }

  const classes = labels.classes();
  const byName = new Map(classes.map((c) => [c.name, c]));

  async function* images(): AsyncGenerator<ImportedImage> {
    const seen = new Set<string>();
    for (const source of sources) {
      for (
        let next = await source.elements.next();
        !next.done;
        next = await source.elements.next()
      ) {
        const { element } = next.value;
        if (element.name === "image") {
          const imported = await readImage(element, source, byName, archive, problems);
          if (!imported) continue;
          if (seen.has(imported.image.path)) {
            problems.push(
              problem(
                source.file,
                `image "${imported.image.path}" appears twice; the later one was not imported`,
                at(element),
              ),
            );
            continue;
          }
          seen.add(imported.image.path);
          yield imported;
        } else if (element.name === "track") {
          problems.push(
            problem(
              source.file,
              "video tracks are not imported (CVAT for images only)",
              at(element),
            ),
          );
        } else if (element.name === "tag") {
          problems.push(problem(source.file, UNSUPPORTED_SHAPES.tag!, at(element)));
        }
      }
    }
  }

  const result: ReadResult = { classes, images: images(), problems };
  return result;
};

/** Reads up to <meta>, which precedes the images (datumaro refuses files without it). */
async function readMeta(
  elements: Source["elements"],
  file: string,
  problems: ImportProblem[],
): Promise<XmlElement | null> {
  const reported = problems.length;
  for (let next = await elements.next(); !next.done; next = await elements.next()) {
    const { element, ancestors } = next.value;
    if (ancestors[0] !== "annotations") {
      problems.push(
        problem(file, `root element is <${ancestors[0]}>, not <annotations>: not a CVAT XML file`),
      );
      return null;
    }
    if (element.name === "meta") return element;
    if (element.name !== "version") {
      const reason = `<${element.name}> before <meta>: a CVAT XML file starts with <meta>; file not imported`;
      problems.push(problem(file, reason, at(element)));
      return null;
    }
    const version = element.text.trim();
    if (version !== "1.1")
      problems.push(problem(file, `version ${version} read as 1.1`, at(element)));
  }
  // Unless the parser already said what is wrong with the file.
  if (problems.length === reported)
    problems.push(
      problem(file, "CVAT XML file should have a <meta> with the label list; file not imported"),
    );
  return null;
}

async function annotationFiles(
  archive: ArchiveSource,
  problems: ImportProblem[],
): Promise<string[]> {
  if (await archive.has("annotations.xml")) return ["annotations.xml"];
  const rootXml: string[] = [];
  for await (const member of archive.members()) {
    if (!member.path.includes("/") && member.path.toLowerCase().endsWith(".xml"))
      rootXml.push(member.path);
  }
  if (!rootXml.length)
    problems.push(
      problem("annotations.xml", "no annotations.xml (nor any other .xml) at the archive root"),
    );
  return rootXml.sort();
}

const at = (element: XmlElement) => ({ line: element.line, element: element.name });

/** The label list of every <meta> read, first definition of a name winning. */
class LabelCollector {
  private readonly defs = new Map<string, ClassDef>();
  private readonly joints = new Map<string, string[]>();
  private readonly declared = new Set<string>();

  constructor(private readonly problems: ImportProblem[]) {}

  addMeta(meta: XmlElement, file: string): void {
    for (const label of labelElements(meta)) this.addLabel(label, file);
  }

  classes(): ClassDef[] {
    return [...this.defs.values()].map((c) => {
      const joints = this.joints.get(c.name);
      return joints && !c.keypoints ? { ...c, keypoints: joints } : c;
    });
  }

  private addLabel(label: XmlElement, file: string): void {
    const name = childText(label, "name") ?? "";
    const parent = childText(label, "parent");
    if (parent) {
      // A skeleton's sub-label is one of its joints, not a class of its own.
      const joints = this.joints.get(parent) ?? [];
      if (!joints.includes(name)) this.joints.set(parent, [...joints, name]);
      return;
    }
    // Project exports repeat the label list per subset file; a repeat within one file is an error.
    const key = `${file}\u0000${name}`;
    const repeatedInFile = this.declared.has(key);
    this.declared.add(key);
    if (repeatedInFile) {
      this.problems.push(
        problem(
          file,
          `label "${name}" is declared twice; the first declaration is used`,
          at(label),
        ),
      );
      return;
    }
    if (this.defs.has(name)) return;
    const color = childText(label, "color") ?? "";
    const attributes: AttributeSpec[] = [];
    let keypoints: string[] | null = null;
    const attributeList = childElement(label, "attributes");
    for (const attribute of attributeList ? childElements(attributeList, "attribute") : []) {
      const spec = attributeSpec(attribute);
      if ("error" in spec) {
        this.problems.push(problem(file, `label "${name}": ${spec.error}`, at(attribute)));
      } else if (spec.name === JOINT_ATTRIBUTE && spec.kind === "select") {
        keypoints = spec.options;
      } else if (attributes.some((a) => a.name === spec.name)) {
        this.problems.push(
          problem(
            file,
            `label "${name}": attribute "${spec.name}" is declared twice`,
            at(attribute),
          ),
        );
      } else {
        attributes.push(spec);
      }
    }
    const parsed = ClassDefSchema.safeParse({
      name,
      color: /^#[0-9a-fA-F]{6}$/.test(color) ? color : paletteColor(this.defs.size),
      attributes,
      keypoints,
    });
    if (!parsed.success) {
      this.problems.push(
        problem(file, `label not imported: ${describeZodError(parsed.error).message}`, at(label)),
      );
      return;
    }
    this.defs.set(name, parsed.data);
  }
}

/** Every <label> inside a <labels> list anywhere under <meta> (task, project or job). */
function labelElements(element: XmlElement): XmlElement[] {
  const found: XmlElement[] = [];
  for (const child of element.children) {
    if (element.name === "labels" && child.name === "label") found.push(child);
    else found.push(...labelElements(child));
  }
  return found;
}

function attributeSpec(attribute: XmlElement): AttributeSpec | { error: string } {
  // Untrimmed: CVAT writes these inline, and names, defaults and options may hold spaces.
  const raw = (field: string) => childElement(attribute, field)?.text;
  const name = raw("name") ?? "";
  const inputType = (raw("input_type") ?? "text").trim().toLowerCase();
  const defaultValue = raw("default_value") ?? "";
  const values = specValues(raw("values") ?? "", defaultValue);
  let candidate: unknown;
  switch (inputType) {
    case "checkbox":
      candidate = { kind: "checkbox", name, default: defaultValue.trim().toLowerCase() === "true" };
      break;
    case "radio":
    case "select": {
      const listed = values.filter((v) => v !== "");
      const options = listed.length ? listed : defaultValue ? [defaultValue] : [];
      candidate = {
        kind: "select",
        name,
        options,
        default: options.includes(defaultValue) ? defaultValue : null,
      };
      break;
    }
    case "number": {
      const [min, max] = values.map(strictNumber);
      candidate = {
        kind: "number",
        name,
        min: min ?? null,
        max: max ?? null,
        default: strictNumber(defaultValue) ?? 0,
      };
      break;
    }
    case "text":
      candidate = { kind: "text", name, default: defaultValue };
      break;
    default:
      return { error: `attribute "${name}" has unknown input_type "${inputType}"` };
  }
  const parsed = AttributeSpecSchema.safeParse(candidate);
  return parsed.success
    ? parsed.data
    : { error: `attribute "${name}" not imported: ${describeZodError(parsed.error).message}` };
}

/** CVAT stores values one per line; datumaro's fixtures separate them with spaces. */
function specValues(text: string, defaultValue: string): string[] {
  if (text.includes("\n")) return text.split("\n").map((v) => v.replace(/\r$/, ""));
  if (text === defaultValue) return text ? [text] : [];
  return text.trim() ? text.trim().split(/\s+/) : [];
}

/** `x1,y1;x2,y2;…` as datumaro splits it, every number strict. */
function parsePoints(text: string | undefined): Point[] | null {
  if (!text?.trim()) return null;
  const points: Point[] = [];
  for (const pair of text.split(";")) {
    const parts = pair.split(",");
    if (parts.length !== 2) return null;
    const x = strictNumber(parts[0]);
    const y = strictNumber(parts[1]);
    if (x === undefined || y === undefined) return null;
    points.push({ x, y });
  }
  return points;
}

const SPLITS: Record<string, Split> = {
  train: "train",
  training: "train",
  val: "val",
  valid: "val",
  validation: "val",
  test: "test",
  testing: "test",
};

async function readImage(
  element: XmlElement,
  source: Source,
  classes: Map<string, ClassDef>,
  archive: ArchiveSource,
  problems: ImportProblem[],
): Promise<ImportedImage | null> {
  const { file } = source;
  const name = element.attributes.name;
  if (!name) {
    problems.push(problem(file, "<image> without a name; not imported", at(element)));
    return null;
  }
  const pathProblem = imagePathProblem(name);
  if (pathProblem) {
    problems.push(problem(file, `image "${name}" not imported: ${pathProblem}`, at(element)));
    return null;
  }
  const subset = element.attributes.subset || null;
  // Project exports restart names per subset; the subset folder keeps paths unique.
  const path = subset ? `${subset}/${name}` : name;
  const candidates = subset
    ? [`images/${subset}/${name}`]
    : source.fileSubset
      ? [`images/${name}`, `images/${source.fileSubset}/${name}`]
      : [`images/${name}`];
  let member: string | null = null;
  for (const candidate of candidates) {
    if (await archive.has(candidate)) {
      member = candidate;
      break;
    }
  }

  let width = strictInteger(element.attributes.width);
  let height = strictInteger(element.attributes.height);
  if (width === undefined || height === undefined) {
    const measured = member
      ? await measureImage(archive, member)
      : { error: "no image file to measure" };
    if ("error" in measured) {
      problems.push(
        problem(
          file,
          `image "${name}" has no valid width/height (${measured.error}); not imported`,
          at(element),
        ),
      );
      return null;
    }
    ({ width, height } = measured);
  }

  const subsetName = (subset ?? source.fileSubset ?? "").toLowerCase();
  const annotations = readShapes(element, classes, { file, problems });
  const image = checkImage(
    { path, width, height, split: SPLITS[subsetName] ?? null, annotations },
    file,
    problems,
    "image",
  );
  return image ? { image, file: member } : null;
}

type Context = { file: string; problems: ImportProblem[] };

function readShapes(image: XmlElement, classes: Map<string, ClassDef>, ctx: Context): Annotation[] {
  const used = image.children
    .map((c) => strictInteger(c.attributes.group_id) ?? 0)
    .filter((id) => id > 0);
  let nextInstance = Math.max(0, ...used) + 1;
  const fresh = () => nextInstance++;
  const annotations: Annotation[] = [];
  const report = (element: XmlElement, reason: string) =>
    ctx.problems.push(problem(ctx.file, reason, at(element)));

  for (const shape of image.children) {
    const unsupported = UNSUPPORTED_SHAPES[shape.name];
    if (unsupported) {
      report(shape, `<${shape.name}> not imported: ${unsupported}`);
      continue;
    }
    if (!["box", "polygon", "polyline", "points", "skeleton"].includes(shape.name)) {
      report(shape, `unknown element <${shape.name}> inside <image> ignored`);
      continue;
    }
    const label = shape.attributes.label ?? "";
    const classDef = classes.get(label);
    if (!classDef) {
      report(shape, `label "${label}" is not declared in <meta>; shape not imported`);
      continue;
    }
    const base = {
      class_name: label,
      occluded: shape.attributes.occluded === "1" || shape.attributes.occluded === "true",
      z_order: strictInteger(shape.attributes.z_order) ?? 0,
    };
    const attributes = readAttributes(shape, classDef, ctx);
    const candidates: unknown[] = [];

    if (shape.name === "box") {
      const [xtl, ytl, xbr, ybr] = ["xtl", "ytl", "xbr", "ybr"].map((k) =>
        strictNumber(shape.attributes[k]),
      );
      if (xtl === undefined || ytl === undefined || xbr === undefined || ybr === undefined) {
        report(shape, "box needs numeric xtl, ytl, xbr and ybr; not imported");
        continue;
      }
      const rotation = strictNumber(shape.attributes.rotation ?? "0");
      if (rotation === undefined) {
        report(shape, "box rotation is not a number; not imported");
        continue;
      }
      if (rotation % 360 !== 0) {
        report(shape, "rotated box imported as a 4-point polygon (the model has no rotated boxes)");
        candidates.push({
          ...base,
          attributes,
          type: "polygon",
          polygon: { paths: [rotatedCorners(xtl, ytl, xbr, ybr, rotation)] },
        });
      } else {
        candidates.push({
          ...base,
          attributes,
          type: "bbox",
          bbox: { x: xtl, y: ytl, w: xbr - xtl, h: ybr - ytl },
        });
      }
    } else if (shape.name === "polygon" || shape.name === "polyline") {
      const points = parsePoints(shape.attributes.points);
      if (!points) {
        report(shape, `malformed points "${shape.attributes.points ?? ""}"; expected x,y;x,y;…`);
        continue;
      }
      candidates.push(
        shape.name === "polygon"
          ? { ...base, attributes, type: "polygon", polygon: { paths: [points] } }
          : { ...base, attributes, type: "polyline", polyline: { path: points } },
      );
    } else if (shape.name === "points") {
      const points = parsePoints(shape.attributes.points);
      if (!points) {
        report(shape, `malformed points "${shape.attributes.points ?? ""}"; expected x,y;x,y;…`);
        continue;
      }
      const group = strictInteger(shape.attributes.group_id) ?? 0;
      const { [JOINT_ATTRIBUTE]: joint, ...rest } = attributes;
      const jointName = typeof joint === "string" && joint ? joint : null;
      if (points.length === 1) {
        candidates.push({
          ...base,
          attributes: rest,
          type: "keypoint",
          keypoint: points[0],
          instance_id: group > 0 ? group : null,
          joint: jointName,
        });
      } else {
        const instance = group > 0 ? group : fresh();
        report(
          shape,
          `<points> with ${points.length} points imported as ${points.length} keypoints of instance ${instance}`,
        );
        for (const keypoint of points)
          candidates.push({
            ...base,
            attributes: rest,
            type: "keypoint",
            keypoint,
            instance_id: instance,
            joint: null,
          });
      }
    } else {
      // <skeleton>: one keypoint per visible child <points>, the child's label naming the joint.
      const instance = fresh();
      let outside = 0;
      for (const node of childElements(shape, "points")) {
        if (node.attributes.outside === "1") {
          outside++;
          continue;
        }
        const points = parsePoints(node.attributes.points);
        if (!points || points.length !== 1) {
          report(node, `malformed skeleton point "${node.attributes.points ?? ""}"; expected x,y`);
          continue;
        }
        candidates.push({
          ...base,
          occluded: node.attributes.occluded === "1",
          attributes: { ...attributes, ...readAttributes(node, classDef, ctx) },
          type: "keypoint",
          keypoint: points[0],
          instance_id: instance,
          joint: node.attributes.label || null,
        });
      }
      if (outside)
        report(
          shape,
          `${outside} skeleton point(s) marked outside (not visible) were not imported`,
        );
    }

    for (const candidate of candidates) {
      const parsed = AnnotationSchema.safeParse(candidate);
      if (parsed.success) annotations.push(parsed.data);
      else report(shape, `shape not imported: ${describeZodError(parsed.error).message}`);
    }
  }
  return annotations;
}

function rotatedCorners(
  xtl: number,
  ytl: number,
  xbr: number,
  ybr: number,
  degrees: number,
): Point[] {
  const cx = (xtl + xbr) / 2;
  const cy = (ytl + ybr) / 2;
  const angle = (degrees * Math.PI) / 180;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return [
    [xtl, ytl],
    [xbr, ytl],
    [xbr, ybr],
    [xtl, ybr],
  ].map(([x, y]) => ({
    x: cx + (x! - cx) * cos - (y! - cy) * sin,
    y: cy + (x! - cx) * sin + (y! - cy) * cos,
  }));
}

/** Child <attribute name> values, typed by the label's spec; undeclared ones by their text. */
function readAttributes(
  shape: XmlElement,
  classDef: ClassDef,
  ctx: Context,
): Record<string, AttributeValue> {
  const values: Record<string, AttributeValue> = {};
  for (const attribute of childElements(shape, "attribute")) {
    const name = attribute.attributes.name;
    if (!name) {
      ctx.problems.push(problem(ctx.file, "<attribute> without a name ignored", at(attribute)));
      continue;
    }
    const text = attribute.text;
    const spec = classDef.attributes.find((a) => a.name === name);
    const value = typedAttributeValue(text, spec);
    if (value === undefined) {
      ctx.problems.push(
        problem(
          ctx.file,
          `attribute "${name}": "${text}" is not a valid ${spec?.kind ?? ""} value; not imported`,
          at(attribute),
        ),
      );
      continue;
    }
    values[name] = value;
  }
  return values;
}
