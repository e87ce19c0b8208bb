import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memorySource } from "../test/fixture";
import { goldenDifferences } from "../golden-files";
import { collectExport } from "../test/collect";
import { fixtureClasses, fixtureImages, fixtureSource } from "../test/fixture";
import { writeCoco } from "./write";

const golden = (variant: string) => join(import.meta.dirname, "golden", variant);

type Coco = {
  info: object;
  licenses: object[];
  categories: Array<{ id: number; name: string; keypoints?: string[] }>;
  images: Array<{ id: number; file_name: string; width: number; height: number }>;
  annotations: Array<
    Record<string, unknown> & { id: number; image_id: number; category_id: number }
  >;
};

async function exportJson(options = {}) {
  const out = await collectExport(writeCoco, fixtureSource(options));
  const files = Object.fromEntries(
    [...out.files].filter(([p]) => p.endsWith(".json")).map(([p, t]) => [p, JSON.parse(t) as Coco]),
  );
  return { out, files };
}

describe("coco writer", () => {
  it("matches the golden files for every status with images", async () => {
    const out = await collectExport(writeCoco, fixtureSource({ include_images: true }));
    expect(goldenDifferences(golden("all-with-images"), out)).toEqual([]);
  });

  it("matches the golden files for class_filter [car] without images", async () => {
    const out = await collectExport(
      writeCoco,
      fixtureSource({ include_images: false, class_filter: ["car"] }),
    );
    expect(goldenDifferences(golden("car-only"), out)).toEqual([]);
  });

  it("writes one file per split plus default for images without one, with all five keys", async () => {
    const { files } = await exportJson();
    expect(Object.keys(files).sort()).toEqual([
      "annotations/instances_default.json",
      "annotations/instances_train.json",
      "annotations/instances_val.json",
    ]);
    for (const doc of Object.values(files))
      expect(Object.keys(doc)).toEqual(["info", "licenses", "categories", "annotations", "images"]);
  });

  it("lists every image of a large subset in order, its entries held over many blocks", async () => {
    // ≈150 bytes an entry: 3,000 take several of the 64 KiB blocks kept while annotations[]
    // is written.
    const images = Array.from({ length: 3_000 }, (_, i) => ({
      ...fixtureImages[0]!,
      path: `folder/${"é".repeat(i % 7)}image-${String(i).padStart(5, "0")}.png`,
      split: null,
      status: "complete" as const,
    }));
    const out = await collectExport(
      writeCoco,
      memorySource(images, fixtureClasses, { status_filter: "all" }),
    );
    const doc = JSON.parse(out.files.get("annotations/instances_default.json")!) as Coco;
    expect(doc.images.map((i) => [i.id, i.file_name])).toEqual(
      images.map((image, i) => [i + 1, image.path]),
    );
    const perImage = new Map<number, number>();
    for (const a of doc.annotations) perImage.set(a.image_id, (perImage.get(a.image_id) ?? 0) + 1);
    expect(perImage.size).toBe(images.length);
    expect(new Set(perImage.values()).size).toBe(1);
  });

  it("numbers images and annotations uniquely across subsets and categories 1..k", async () => {
    const { files } = await exportJson();
    const docs = Object.values(files);
    const imageIds = docs.flatMap((d) => d.images.map((i) => i.id)).sort((a, b) => a - b);
    expect(imageIds).toEqual([1, 2, 3, 4, 5]);
    const annotationIds = docs.flatMap((d) => d.annotations.map((a) => a.id));
    expect(new Set(annotationIds).size).toBe(annotationIds.length);
    expect(Math.min(...annotationIds)).toBe(1);
    expect(docs[0]!.categories.map((c) => c.id)).toEqual([1, 2, 3, 4, 5]);
    for (const d of docs) {
      const ids = new Set(d.images.map((i) => i.id));
      for (const a of d.annotations) expect(ids.has(a.image_id)).toBe(true);
    }
  });

  it("writes a polygon with a hole as an RLE mask whose runs cover the image", async () => {
    const { files } = await exportJson();
    const train = files["annotations/instances_train.json"]!;
    const rle = train.annotations.find((a) => !Array.isArray(a.segmentation))!;
    const { counts, size } = rle.segmentation as { counts: number[]; size: [number, number] };
    expect(size).toEqual([480, 640]);
    expect(counts.reduce((s, n) => s + n, 0)).toBe(480 * 640);
    // 100×100 square minus a 40×40 hole, pixel centres inside.
    expect(rle.area).toBe(100 * 100 - 40 * 40);
    expect(rle.iscrowd).toBe(0);
    expect(rle.bbox).toEqual([200, 100, 100, 100]);
  });

  it("groups joints by instance into one keypoint annotation in the class's joint order", async () => {
    const { files } = await exportJson();
    const val = files["annotations/instances_val.json"]!;
    const pose = val.annotations.find((a) => a.keypoints)!;
    expect(pose.keypoints).toEqual([340, 110, 2, 310, 200, 2, 370, 200, 2]);
    expect(pose.num_keypoints).toBe(3);
    expect(pose.bbox).toEqual([310, 110, 60, 90]);
  });

  it("marks absent and occluded joints, and skips keypoints it cannot place", async () => {
    const classes = [{ ...fixtureClasses[2]! }, fixtureClasses[3]!];
    const image = {
      ...fixtureImages[1]!,
      annotations: [
        {
          type: "keypoint" as const,
          class_name: "person",
          keypoint: { x: 5, y: 6 },
          instance_id: 7,
          joint: "right_hand",
          attributes: {},
          confidence: null,
          occluded: true,
          z_order: 0,
        },
        {
          type: "keypoint" as const,
          class_name: "person",
          keypoint: { x: 1, y: 2 },
          instance_id: null,
          joint: "nose",
          attributes: {},
          confidence: null,
          occluded: false,
          z_order: 0,
        },
        {
          type: "keypoint" as const,
          class_name: "road",
          keypoint: { x: 1, y: 2 },
          instance_id: 1,
          joint: "a",
          attributes: {},
          confidence: null,
          occluded: false,
          z_order: 0,
        },
      ],
    };
    const out = await collectExport(
      writeCoco,
      memorySource([image], classes, { status_filter: "all" }),
    );
    const doc = JSON.parse(out.files.get("annotations/instances_val.json")!) as Coco;
    expect(doc.annotations).toHaveLength(1);
    expect(doc.annotations[0]!.keypoints).toEqual([0, 0, 0, 0, 0, 0, 5, 6, 1]);
    expect(out.summary.skipped).toEqual({
      "keypoint: joint not named in its class's keypoints": 1,
      "keypoint: its class defines no keypoints": 1,
    });
  });

  it("uses only the default subset when no image has a split", async () => {
    const images = fixtureImages.map((i) => ({ ...i, split: null }));
    const out = await collectExport(
      writeCoco,
      memorySource(images, fixtureClasses, { status_filter: "all" }),
    );
    expect([...out.files.keys()]).toEqual(["annotations/instances_default.json", "README.txt"]);
    expect([...out.images.keys()][0]).toBe("images/default/batch1/street.jpg");
  });

  it("refuses to go on when the body of a JSON file was not read", async () => {
    const generator = writeCoco(fixtureSource({ include_images: false }));
    await generator.next();
    await expect(generator.next()).rejects.toThrow("must be read to the end");
  });
});
