// Test support: what each format must give back after write → read. For pictograph that is
// the source's selected images with D1 (class_filter) and D4 (clipping) applied and nothing
// else changed; for the others, that restricted to what the format holds. Never imported by
// production code.
import {
  DatasetImageSchema,
  pathStem,
  type Annotation,
  type AnnotationInput,
  type AttributeSpec,
  type AttributeValue,
  type ClassDef,
  type DatasetImage,
  type DatasetImageInput,
  type ExportOptions,
  type Format,
  type Split,
} from "@pictograph/schema";
import { memoryArchive } from "./archive/memory-archive";
import { exportClasses } from "./core/class-list";
import { enclosingBox } from "./core/geometry";
import { paletteColor } from "./core/palette";
import { polygonRle } from "./core/rle";
import { annotationSelector } from "./core/select-annotations";
import { typedAttributeValue } from "./core/text-values";
import type { FormatModule, ImportedImage, ReadResult } from "./core/types";
import { xmlLegalText } from "./core/xml-writer";
import { csvNumber } from "./csv/write";
import { JOINT_ATTRIBUTE } from "./cvat/write";
import { pngBytes } from "./image-stub";
import { vocBox } from "./pascal_voc/write";
import { formatModules } from "./registry";
import { collectExport } from "./test/collect";
import { memorySource } from "./test/fixture";
import { yoloFolders } from "./yolo/write";

export function expectedAfterExport(
  images: DatasetImage[],
  classes: ClassDef[],
  options: Pick<ExportOptions, "class_filter" | "status_filter">,
): { classes: ClassDef[]; images: DatasetImage[] } {
  const exported = exportClasses(classes, options.class_filter);
  const select = annotationSelector(classes, exported, {});
  return {
    classes: exported.classes,
    images: images
      .filter((i) => options.status_filter === "all" || i.status === options.status_filter)
      .map((image) => ({ ...image, annotations: select(image) })),
  };
}

/** Reads every image of a result, so its problem list is complete. */
export async function readAll(result: ReadResult): Promise<ImportedImage[]> {
  const out: ImportedImage[] = [];
  for await (const item of result.images) out.push(item);
  return out;
}

export type Expectation = {
  classes: ClassDef[];
  images: DatasetImage[];
  /** Largest coordinate difference allowed (YOLO's 6 decimals, CSV's 2). */
  tolerance: number;
  /** Problems the reader must report (and no others), e.g. COCO's RLE masks read as boxes. */
  problems: string[];
};

type Options = Pick<ExportOptions, "class_filter" | "status_filter" | "include_images">;

/** What each format gives back after write → read: the dataset restricted to what the
 * format holds. This is the LOSSES table of README.md written as code. */
export const roundTripExpectations: Record<
  Format,
  (images: DatasetImage[], classes: ClassDef[], options: Options) => Expectation
> = {
  pictograph(images, classes, options) {
    return { ...expectedAfterExport(images, classes, options), tolerance: 0, problems: [] };
  },

  coco(images, classes, options) {
    const after = expectedAfterExport(images, classes, options);
    const problems: string[] = [];
    const out = after.images.map((image) => {
      const annotations: AnnotationInput[] = [];
      const instances = new Map<
        string,
        { id: number; joints: Array<Annotation | null>; first: Annotation }
      >();
      const order: Array<AnnotationInput | { instance: string }> = [];
      for (const a of image.annotations) {
        const common = {
          class_name: a.class_name,
          attributes: a.attributes,
          confidence: a.confidence,
          occluded: a.occluded,
        };
        if (a.type === "bbox") order.push({ ...common, type: "bbox", bbox: a.bbox });
        else if (a.type === "polygon" && a.polygon.paths.length === 1)
          order.push({ ...common, type: "polygon", polygon: a.polygon });
        else if (a.type === "polygon") {
          if (polygonRle(a.polygon.paths, image.width, image.height).area === 0) continue;
          problems.push("RLE mask imported as its bbox: the mask's shape is not kept");
          order.push({ ...common, type: "bbox", bbox: enclosingBox(a.polygon.paths[0]!) });
        } else if (a.type === "keypoint") {
          const joints = after.classes.find((c) => c.name === a.class_name)!.keypoints;
          const j = joints && a.joint !== null ? joints.indexOf(a.joint) : -1;
          if (!joints || j < 0) continue;
          const key =
            a.instance_id === null ? `lone ${order.length}` : `${a.class_name} ${a.instance_id}`;
          let instance = instances.get(key);
          if (!instance) {
            instance = {
              id: instances.size + 1,
              joints: new Array(joints.length).fill(null),
              first: a,
            };
            instances.set(key, instance);
            order.push({ instance: key });
          }
          instance.joints[j] ??= a;
        }
      }
      for (const item of order) {
        if (!("instance" in item)) {
          annotations.push(item);
          continue;
        }
        const instance = instances.get(item.instance)!;
        const names = after.classes.find((c) => c.name === instance.first.class_name)!.keypoints!;
        instance.joints.forEach((joint, j) => {
          if (joint?.type !== "keypoint") return;
          annotations.push({
            type: "keypoint",
            class_name: joint.class_name,
            keypoint: joint.keypoint,
            instance_id: instance.id,
            joint: names[j]!,
            attributes: instance.first.attributes,
            confidence: instance.first.confidence,
            occluded: joint.occluded,
          });
        });
      }
      return imported({ ...image, status: "new", tags: [], annotations });
    });
    return { classes: importedClasses(after.classes, true), images: out, tolerance: 0, problems };
  },

  yolo(images, classes, options) {
    const after = expectedAfterExport(images, classes, options);
    const counts = { train: 0, val: 0, test: 0, none: 0 };
    for (const image of after.images) counts[image.split ?? "none"]++;
    // Mirrors data.yaml: a folder that is both train and val means "no split".
    const folders = yoloFolders(counts).map((f) => f.dir);
    const trainDir = folders[0] ?? "train";
    const valDir = folders.includes("val") ? "val" : trainDir;
    const splitOf = (dir: string): Split | null =>
      dir === trainDir && dir === valDir ? null : (dir as Split);
    const out = after.images.map((image) => {
      const annotations: AnnotationInput[] = [];
      for (const a of image.annotations) {
        const box =
          a.type === "bbox"
            ? a.bbox
            : a.type === "polygon"
              ? enclosingBox(a.polygon.paths[0]!)
              : null;
        if (
          !box ||
          Number((box.w / image.width).toFixed(6)) === 0 ||
          Number((box.h / image.height).toFixed(6)) === 0
        )
          continue;
        annotations.push({ type: "bbox", class_name: a.class_name, bbox: box });
      }
      const dir = image.split === "val" || image.split === "test" ? image.split : "train";
      return imported({ ...image, status: "new", tags: [], split: splitOf(dir), annotations });
    });
    const largest = Math.max(1, ...after.images.flatMap((i) => [i.width, i.height]));
    const tolerance = 2e-6 * largest + 2e-6;
    const classList = importedClasses(after.classes, false);
    // Labels are normalised: without the image files there is no size to undo that with.
    if (!options.include_images) {
      const orphan = "label file has no image file (expected under the matching images folder)";
      return { classes: classList, images: [], tolerance, problems: out.map(() => orphan) };
    }
    return { classes: classList, images: out, tolerance, problems: [] };
  },

  csv(images, classes, options) {
    const after = expectedAfterExport(images, classes, options);
    const names: string[] = [];
    const out: DatasetImage[] = [];
    for (const image of after.images) {
      const annotations: AnnotationInput[] = [];
      for (const a of image.annotations) {
        if (a.type !== "bbox") continue;
        const [x0, y0, x1, y1] = [a.bbox.x, a.bbox.y, a.bbox.x + a.bbox.w, a.bbox.y + a.bbox.h]
          .map(csvNumber)
          .map(Number);
        if (x0 === x1 || y0 === y1) continue;
        if (!names.includes(a.class_name)) names.push(a.class_name);
        annotations.push({
          type: "bbox",
          class_name: a.class_name,
          bbox: { x: x0!, y: y0!, w: x1! - x0!, h: y1! - y0! },
        });
      }
      // An image without rows comes back only from its image file.
      if (annotations.length || options.include_images)
        out.push(imported({ ...image, status: "new", tags: [], split: null, annotations }));
    }
    const classList = names.map((name) => after.classes.find((c) => c.name === name)!);
    return {
      classes: importedClasses(classList, false),
      images: out,
      tolerance: 1e-6,
      problems: [],
    };
  },

  // Geometry at 2 decimals, attributes typed by the class's specs, joints; no split, status
  // or confidence.
  cvat(images, classes, options) {
    const expected = expectedAfterExport(images, classes, options);
    const r2 = (v: number) => Number(v.toFixed(2));
    const specsOf = new Map(expected.classes.map((c) => [c.name, c.attributes]));
    const problems: string[] = [];
    // Values typed by the class's spec; one the spec cannot hold (a checkbox "") the reader
    // drops and reports, so it is reported here only for shapes that are written.
    const attributesOf = (a: Annotation) => {
      const specs = specsOf.get(a.class_name) ?? [];
      const values: Record<string, AttributeValue> = {};
      const refused: string[] = [];
      const declared = specs.map((s) => s.name).filter((name) => name in a.attributes);
      const names = [
        ...declared,
        ...Object.keys(a.attributes).filter((n) => !declared.includes(n)),
      ];
      for (const name of names) {
        if (a.type === "keypoint" && name === JOINT_ATTRIBUTE) continue;
        const spec = specs.find((s) => s.name === name);
        const text = xmlLegalText(String(a.attributes[name]));
        const value = typedAttributeValue(text, spec);
        if (value !== undefined) values[name] = value;
        else
          refused.push(
            `attribute "${name}": "${text}" is not a valid ${spec!.kind} value; not imported`,
          );
      }
      return { values, refused };
    };
    const shape = (a: Annotation): Annotation[] => {
      const kept = shapeGeometry(a);
      if (!kept) return [];
      const { values, refused } = attributesOf(a);
      problems.push(...refused);
      return [{ ...kept, attributes: values, confidence: null }];
    };
    const shapeGeometry = (a: Annotation): Annotation | null => {
      const at = (p: { x: number; y: number }) => ({ x: r2(p.x), y: r2(p.y) });
      switch (a.type) {
        case "bbox": {
          const [x0, y0, x1, y1] = [
            a.bbox.x,
            a.bbox.y,
            a.bbox.x + a.bbox.w,
            a.bbox.y + a.bbox.h,
          ].map(r2) as [number, number, number, number];
          return x1 > x0 && y1 > y0
            ? { ...a, bbox: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } }
            : null;
        }
        case "polygon":
          return { ...a, polygon: { paths: [a.polygon.paths[0]!.map(at)] } };
        case "polyline":
          return { ...a, polyline: { path: a.polyline.path.map(at) } };
        case "keypoint":
          return { ...a, keypoint: at(a.keypoint) };
      }
    };
    const specBack = (s: AttributeSpec): AttributeSpec =>
      s.kind === "select" && s.default === null ? { ...s, default: s.options[0]! } : s;
    return {
      classes: expected.classes.map((c) => ({
        ...c,
        attributes: c.attributes
          .filter((s) => !(c.keypoints && s.name === JOINT_ATTRIBUTE))
          .map(specBack),
      })),
      images: expected.images.map((image) => ({
        ...image,
        status: "new",
        split: null,
        tags: [],
        annotations: image.annotations.flatMap(shape),
      })),
      tolerance: 0,
      problems,
    };
  },

  // Boxes at devkit integers, polygons as boxes, no lines or points; images in path order.
  pascal_voc(images, classes, options) {
    const expected = expectedAfterExport(images, classes, options);
    const attributesOf = (a: Annotation) => {
      const out: Record<string, AttributeValue> = {};
      for (const [name, value] of Object.entries(a.attributes)) {
        if ((name === "difficult" || name === "truncated") && typeof value === "boolean") {
          if (value) out[name] = true;
        } else if (name === "pose" && typeof value === "string" && value) {
          if (value !== "Unspecified") out[name] = value;
        } else out[name] = typedAttributeValue(xmlLegalText(String(value)), undefined)!;
      }
      return out;
    };
    const shape = (a: Annotation, image: DatasetImage): Annotation[] => {
      if (a.type !== "bbox" && a.type !== "polygon") return [];
      const box = vocBox(
        a.type === "bbox" ? a.bbox : enclosingBox(a.polygon.paths[0]!),
        image.width,
        image.height,
      );
      const bbox = {
        x: box.xmin - 1,
        y: box.ymin - 1,
        w: box.xmax - box.xmin + 1,
        h: box.ymax - box.ymin + 1,
      };
      return [
        {
          type: "bbox",
          class_name: a.class_name,
          bbox,
          attributes: attributesOf(a),
          confidence: null,
          occluded: a.occluded,
          z_order: 0,
        },
      ];
    };
    return {
      classes: expected.classes.map((c) => ({ ...c, attributes: [], keypoints: null })),
      images: expected.images
        .map((image) => ({
          ...image,
          status: "new" as const,
          tags: [],
          annotations: image.annotations.flatMap((a) => shape(a, image)),
        }))
        .sort(byImagePath),
      tolerance: 0,
      problems: [],
    };
  },

  // Shapes and their extras, but no class list, split, status or holes; images in the order
  // of their JSON files.
  labelme(images, classes, options) {
    const expected = expectedAfterExport(images, classes, options);
    const shape = (a: Annotation): Annotation => {
      switch (a.type) {
        case "bbox": {
          // Written as two corners, read back as min/max: w = (x + w) - x in floats.
          const { x, y, w, h } = a.bbox;
          return { ...a, bbox: { x, y, w: x + w - x, h: y + h - y } };
        }
        case "polygon":
          return { ...a, polygon: { paths: [a.polygon.paths[0]!] } };
        default:
          return a;
      }
    };
    const sorted = expected.images
      .map((image) => ({
        ...image,
        status: "new" as const,
        split: null,
        tags: [],
        annotations: image.annotations.map(shape),
      }))
      .sort(byJsonFile);
    const labels = [...new Set(sorted.flatMap((i) => i.annotations.map((a) => a.class_name)))];
    return {
      classes: labels.map((name, i) => ({
        name,
        color: paletteColor(i),
        attributes: [],
        keypoints: null,
      })),
      images: sorted,
      tolerance: 0,
      problems: [],
    };
  },
};

/** Path order: the pascal_voc tests sort what the reader gives back the same way. */
function byImagePath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Orders images as the labelme reader yields them: by their JSON file's name. */
function byJsonFile(a: { path: string }, b: { path: string }): number {
  const [x, y] = [`${pathStem(a.path)}.json`, `${pathStem(b.path)}.json`];
  return x < y ? -1 : x > y ? 1 : 0;
}

function imported(image: DatasetImageInput): DatasetImage {
  return DatasetImageSchema.parse(image);
}

/** Classes as a format without colors or attribute specs brings them in. */
function importedClasses(classes: ClassDef[], keepKeypoints: boolean): ClassDef[] {
  return classes.map((c, i) => ({
    name: c.name,
    color: paletteColor(i),
    attributes: [],
    keypoints: keepKeypoints ? c.keypoints : null,
  }));
}

/** Differences between what a reader gave and what was expected, as readable lines; images
 * are matched by path, annotations as multisets with numbers compared within `tolerance`. */
export function importDifferences(actual: DatasetImage[], expected: Expectation): string[] {
  const differences: string[] = [];
  const byPath = new Map(actual.map((i) => [i.path, i]));
  if (byPath.size !== actual.length) differences.push("an image path came back twice");
  for (const want of expected.images) {
    const got = byPath.get(want.path);
    byPath.delete(want.path);
    if (!got) {
      differences.push(`${want.path}: missing`);
      continue;
    }
    const { annotations: gotAnnotations, ...gotHead } = got;
    const { annotations: wantAnnotations, ...wantHead } = want;
    if (!close(gotHead, wantHead, 0))
      differences.push(`${want.path}: ${JSON.stringify(gotHead)} != ${JSON.stringify(wantHead)}`);
    const left = [...gotAnnotations];
    for (const a of wantAnnotations) {
      const at = left.findIndex((b) => close(b, a, expected.tolerance));
      if (at < 0)
        differences.push(
          `${want.path}: missing annotation ${JSON.stringify(a)} in ${JSON.stringify(left)}`,
        );
      else left.splice(at, 1);
    }
    for (const b of left)
      differences.push(`${want.path}: unexpected annotation ${JSON.stringify(b)}`);
  }
  for (const path of byPath.keys()) differences.push(`${path}: not expected`);
  return differences;
}

function close(a: unknown, b: unknown, tolerance: number): boolean {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= tolerance;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => close(x, b[i], tolerance));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) =>
        close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], tolerance),
      )
    );
  }
  return a === b;
}

/** Every format whose write → read has an expectation above: all of them. */
export const roundTripFormats: Record<Format, FormatModule> = formatModules;

/** Writes, reads back, and returns the reader's result with the expectation for it. */
export async function roundTrip(
  format: Format,
  images: DatasetImage[],
  classes: ClassDef[],
  options: Partial<ExportOptions>,
) {
  const module: FormatModule = roundTripFormats[format];
  const source = memorySource(images, classes, options);
  const out = await collectExport(module.write, source);
  const files: Record<string, string | Uint8Array> = Object.fromEntries(out.files);
  const byPath = new Map(images.map((i) => [i.path, i]));
  for (const [member, path] of out.images)
    files[member] = pngBytes(byPath.get(path)!.width, byPath.get(path)!.height);
  const result = await module.read(memoryArchive(files));
  const read = await readAll(result);
  const expected = roundTripExpectations[format](images, classes, source.options);
  return { result, read, expected };
}
