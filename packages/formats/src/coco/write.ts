// coco (D7, FORMATS.md §2): annotations/instances_<subset>.json + images/<subset>/<path>, as
// pycocotools, datumaro and CVAT read it. Each JSON is streamed in one pass over the subset:
// annotations[] as it goes, then images[] (JSON readers take the keys in any order) from its
// entries kept deflated meanwhile, 7.5 bytes an image in the 100k bench. A second pass over
// the images for images[] cost a 100k-image export 7% of its time.
import zlib from "node:zlib";
import type { Annotation, ClassDef, DatasetImage, Point, Split } from "@pictograph/schema";
import { exportClasses, type ExportClasses } from "../core/class-list";
import { enclosingBox, polygonArea } from "../core/geometry";
import { countSkip, readmeText } from "../core/readme";
import { hasKeys } from "../core/has-keys";
import { polygonRle } from "../core/rle";
import { annotationSelector, type AnnotationSelector } from "../core/select-annotations";
import { assertDrained, streamedFile } from "../core/streamed-file";
import { TextBlocks } from "../core/text-blocks";
import type { ExportSource, ExportSummary, FormatWriter, SplitCounts } from "../core/types";

export type CocoSubset = { name: string; split: Split | null };

/** Subsets are the splits in use; images without a split then go to `default`. */
export function cocoSubsets(counts: SplitCounts): CocoSubset[] {
  const splits = (["train", "val", "test"] as const).filter((s) => counts[s] > 0);
  if (splits.length === 0) return [{ name: "default", split: null }];
  const subsets: CocoSubset[] = splits.map((split) => ({ name: split, split }));
  if (counts.none > 0) subsets.push({ name: "default", split: null });
  return subsets;
}

export const writeCoco: FormatWriter = async function* (source: ExportSource) {
  const exported = exportClasses(source.classes, source.options.class_filter);
  const summary: ExportSummary = { images: 0, annotations: 0, skipped: {}, imageMembers: 0 };
  const subsets = cocoSubsets(source.splitCounts);

  if (source.options.include_images) {
    for (const subset of subsets) {
      for await (const image of source.images({ split: subset.split, annotations: false })) {
        summary.imageMembers++;
        yield { type: "image", path: `images/${subset.name}/${image.path}`, image };
      }
    }
  }

  const ids = { image: 1, annotation: 1 };
  for (const subset of subsets) {
    const file = streamedFile(`annotations/instances_${subset.name}.json`, () =>
      subsetJson(source, subset, exported, summary, ids),
    );
    yield file.entry;
    assertDrained(file);
  }

  yield {
    type: "file",
    path: "README.txt",
    body: readmeText({
      format: "COCO (instances)",
      source,
      classes: exported.classes,
      indexBase: 1,
      layout: [
        ...subsets.map(
          (s) =>
            `annotations/instances_${s.name}.json: ${s.split ? `images of split ${s.split}` : "images without a split"}`,
        ),
        source.options.include_images
          ? "images/<subset>/<image path>: the image files; file_name is the path below images/<subset>/"
          : "images: not included in this export; file_name is the path below images/<subset>/",
      ],
      conventions: [
        "bbox [x, y, width, height] in absolute pixels from the top-left corner",
        "category ids 1..k in the export's class order; image and annotation ids are unique across all subsets",
        "polygons without holes: flat [x1, y1, ...] lists; polygons with holes: uncompressed RLE with iscrowd 0",
        "keypoints: one annotation per instance_id (a keypoint without one is its own instance), joints in the class's order,",
        "  v = 2 visible, 1 occluded, 0 absent (x = y = 0); its bbox is the enclosing box of the labelled joints",
        "attributes hold the annotation's attributes plus occluded; score is the confidence when set; z_order is not written",
        "each file lists annotations before images, as it is written in one pass over the images",
      ],
      summary,
    }),
  };
  return summary;
};

async function* subsetJson(
  source: ExportSource,
  subset: CocoSubset,
  exported: ExportClasses,
  summary: ExportSummary,
  ids: { image: number; annotation: number },
): AsyncGenerator<string | Uint8Array> {
  const info = {
    contributor: "",
    date_created: source.exportedAt,
    description: `Pictograph export of dataset "${source.dataset.name}"`,
    url: "",
    version: "",
    year: source.exportedAt.slice(0, 4),
  };
  yield `{\n  "info": ${JSON.stringify(info)},\n  "licenses": [{"name":"","id":0,"url":""}],\n  "categories": [`;
  yield listItems(exported.classes.map((c, i) => JSON.stringify(category(c, i + 1))));

  yield `,\n  "annotations": [`;
  const out = new TextBlocks();
  const images = new DeflatedText();
  const select = annotationSelector(source.classes, exported, summary.skipped);
  let first = true;
  let imageCount = 0;
  for await (const image of source.images({ split: subset.split })) {
    summary.images++;
    const imageId = ids.image++;
    images.text.text(imageCount++ === 0 ? "\n    " : ",\n    ");
    imageJson(images.text, imageId, image);
    images.keepFilled();
    for (const item of cocoAnnotations(image, imageId, select, exported, summary.skipped)) {
      summary.annotations++;
      out.text(first ? "\n    " : ",\n    ");
      annotationJson(out, item, ids.annotation++, imageId, exported);
      first = false;
    }
    // A piece only once a block is full: every yield costs a trip through the chain of
    // async generators down to the ZIP writer.
    yield* out.takeFilled();
  }
  yield* out.takeAll();
  yield first ? "]" : "\n  ]";

  yield `,\n  "images": [`;
  yield* images.takeAll();
  yield imageCount ? "\n  ]\n}\n" : "]\n}\n";
}

/** Text written into TextBlocks and kept deflated, block by block, until it is taken back. */
class DeflatedText {
  readonly text = new TextBlocks();
  private readonly kept: Uint8Array[] = [];

  keepFilled(): void {
    // Level 1: the blocks are inflated again soon, and deflated anew into the ZIP.
    for (const block of this.text.takeFilled())
      this.kept.push(zlib.deflateRawSync(block, { level: 1 }));
  }

  *takeAll(): Generator<Uint8Array> {
    for (const block of this.kept.splice(0)) yield zlib.inflateRawSync(block);
    yield* this.text.takeAll();
  }
}

/** JSON.stringify of the image's COCO entry, keys in the same order. */
function imageJson(out: TextBlocks, id: number, image: DatasetImage): void {
  out.text('{"id":');
  out.integer(id);
  out.text(',"width":');
  out.number(image.width);
  out.text(',"height":');
  out.number(image.height);
  out.text(',"file_name":');
  out.text(JSON.stringify(image.path));
  out.text(',"license":0,"flickr_url":"","coco_url":"","date_captured":0}');
}

function listItems(items: string[]): string {
  return items.length ? `\n    ${items.join(",\n    ")}\n  ]` : "]";
}

function category(c: ClassDef, id: number) {
  const base = { id, name: c.name, supercategory: "" };
  return c.keypoints ? { ...base, keypoints: c.keypoints, skeleton: [] } : base;
}

/** `id` comes first and is 0 until the annotation is written: ids count written annotations. */
type CocoAnnotation = Record<string, unknown> & { id: number };
type Box = Extract<Annotation, { type: "bbox" }>;

/** One image's COCO annotations, in the image's order; keypoint instances sit where their
 * first joint was. Each is built once, with its keys in the order they are written; boxes,
 * nearly all of most datasets, stay as they are until annotationJson writes them. */
function cocoAnnotations(
  image: DatasetImage,
  imageId: number,
  select: AnnotationSelector,
  exported: ExportClasses,
  skipped: Record<string, number>,
): Array<CocoAnnotation | Box> {
  const out: Array<CocoAnnotation | Box> = [];
  const instances = new Map<string, KeypointInstance>();
  for (const a of select(image)) {
    const categoryId = exported.indexOf(a.class_name)! + 1;
    switch (a.type) {
      case "bbox":
        out.push(a);
        break;
      case "polygon": {
        const shape = polygonShape(a.polygon.paths, image);
        if (!shape) countSkip(skipped, "polygon with holes: no pixel centre inside it");
        else
          out.push(
            withExtras(
              { id: 0, image_id: imageId, category_id: categoryId, ...shape, iscrowd: 0 },
              a,
            ),
          );
        break;
      }
      case "polyline":
        countSkip(skipped, "polyline: not expressible in coco");
        break;
      case "keypoint": {
        const joints = exported.classes[categoryId - 1]!.keypoints;
        if (!joints) {
          countSkip(skipped, "keypoint: its class defines no keypoints");
          break;
        }
        const joint = a.joint === null ? -1 : joints.indexOf(a.joint);
        if (joint < 0) {
          countSkip(skipped, "keypoint: joint not named in its class's keypoints");
          break;
        }
        // A keypoint without instance_id is an instance of its own.
        const key =
          a.instance_id === null ? `lone ${out.length}` : `${categoryId} ${a.instance_id}`;
        let instance = instances.get(key);
        if (!instance) {
          instance = { joints: new Array(joints.length).fill(null), first: a };
          instances.set(key, instance);
          out.push({ id: 0, image_id: imageId, category_id: categoryId, instance });
        }
        if (instance.joints[joint]) countSkip(skipped, "keypoint: joint repeated in its instance");
        else instance.joints[joint] = a;
        break;
      }
    }
  }
  return instances.size
    ? out.map((entry) => (!isBox(entry) && entry.instance ? keypointAnnotation(entry) : entry))
    : out;
}

/** One annotation's JSON. A box is written directly, with the keys and numbers that
 * JSON.stringify of its COCO object would give: exports hold millions of them. */
function annotationJson(
  out: TextBlocks,
  item: CocoAnnotation | Box,
  id: number,
  imageId: number,
  exported: ExportClasses,
): void {
  if (!isBox(item)) {
    item.id = id;
    return out.text(JSON.stringify(item));
  }
  const { x, y, w, h } = item.bbox;
  out.text('{"id":');
  out.integer(id);
  out.text(',"image_id":');
  out.integer(imageId);
  out.text(',"category_id":');
  out.integer(exported.indexOf(item.class_name)! + 1);
  out.text(',"segmentation":[],"area":');
  out.number(w * h);
  out.text(',"bbox":[');
  out.number(x);
  out.text(",");
  out.number(y);
  out.text(",");
  out.number(w);
  out.text(",");
  out.number(h);
  out.text('],"iscrowd":0,"attributes":');
  out.text(attributesJson(item));
  if (item.confidence !== null) {
    out.text(',"score":');
    out.number(item.confidence);
  }
  out.text("}");
}

/** A COCO object has no `type`: only a box left as it was has one. */
function isBox(item: CocoAnnotation | Box): item is Box {
  return item.type === "bbox";
}

/** cocoAttributes(a) as JSON; without attributes of its own, one of two constants. */
function attributesJson(a: Annotation): string {
  if (hasKeys(a.attributes)) return JSON.stringify(cocoAttributes(a));
  return a.occluded ? '{"occluded":true}' : '{"occluded":false}';
}

type KeypointInstance = { joints: Array<Annotation | null>; first: Annotation };

function keypointAnnotation(entry: CocoAnnotation): CocoAnnotation {
  const { instance, ...head } = entry as CocoAnnotation & { instance: KeypointInstance };
  const present: Point[] = [];
  const keypoints: number[] = [];
  for (const joint of instance.joints) {
    if (joint?.type !== "keypoint") keypoints.push(0, 0, 0);
    else {
      present.push(joint.keypoint);
      keypoints.push(joint.keypoint.x, joint.keypoint.y, joint.occluded ? 1 : 2);
    }
  }
  const box = enclosingBox(present);
  return withExtras(
    {
      ...head,
      segmentation: [],
      area: box.w * box.h,
      bbox: [box.x, box.y, box.w, box.h],
      iscrowd: 0,
      keypoints,
      num_keypoints: present.length,
    },
    instance.first,
  );
}

function polygonShape(paths: Point[][], image: DatasetImage) {
  const outer = paths[0]!;
  const box = enclosingBox(outer);
  const bbox = [box.x, box.y, box.w, box.h];
  if (paths.length === 1)
    return { segmentation: [outer.flatMap((p) => [p.x, p.y])], area: polygonArea(outer), bbox };
  const { rle, area } = polygonRle(paths, image.width, image.height);
  return area > 0 ? { segmentation: rle, area, bbox } : null;
}

/** Adds `attributes` (cocoAttributes) and `score`. */
function withExtras(entry: CocoAnnotation, a: Annotation): CocoAnnotation {
  entry.attributes = cocoAttributes(a);
  if (a.confidence !== null) entry.score = a.confidence;
  return entry;
}

/** COCO's `attributes`: the annotation's own, and CVAT's `occluded`, as datumaro writes them. */
function cocoAttributes(a: Annotation): Record<string, unknown> {
  return { ...a.attributes, occluded: a.occluded };
}
