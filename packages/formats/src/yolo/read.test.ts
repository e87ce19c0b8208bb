import { describe, expect, it } from "vitest";
import { memoryArchive } from "../archive/memory-archive";
import { readAll } from "../export-expectation";
import { jpegBytes, pngBytes } from "../image-stub";
import { collectExport } from "../test/collect";
import { fixtureImages, fixtureSource } from "../test/fixture";
import { readYolo } from "./read";
import { writeYolo } from "./write";

async function read(files: Record<string, string | Uint8Array>) {
  const result = await readYolo(memoryArchive(files));
  const images = await readAll(result);
  return { classes: result.classes, images, problems: result.problems };
}

describe("yolo reader", () => {
  it("reads our export back: boxes denormalised by the measured image size, splits from data.yaml", async () => {
    const out = await collectExport(writeYolo, fixtureSource({ include_images: true }));
    const files: Record<string, string | Uint8Array> = Object.fromEntries(out.files);
    for (const [member, path] of out.images) {
      const image = fixtureImages.find((i) => i.path === path)!;
      files[member] = pngBytes(image.width, image.height);
    }
    const { classes, images, problems } = await read(files);
    expect(problems).toEqual([]);
    expect(classes.map((c) => c.name)).toEqual(["car", 'a&b <c>, "d"', "person", "road", "unused"]);
    expect(images.map((i) => [i.image.path, i.image.split, i.file])).toEqual([
      ["batch1/street.jpg", "train", "images/train/batch1/street.jpg"],
      ["batch1/night.jpg", "train", "images/train/batch1/night.jpg"],
      ["empty.png", "train", "images/train/empty.png"],
      ["drafts/raw.png", "train", "images/train/drafts/raw.png"],
      ["batch2/street.jpg", "val", "images/val/batch2/street.jpg"],
    ]);
    const street = images[0]!.image;
    expect(street.annotations.map((a) => a.type)).toEqual(["bbox", "bbox", "bbox"]);
    const first = street.annotations[0]!;
    if (first.type !== "bbox") throw new Error("expected a box");
    expect(first.bbox.x).toBeCloseTo(10, 3);
    expect(first.bbox.w).toBeCloseTo(100.5, 3);
    expect(first.bbox.h).toBeCloseTo(50.25, 3);
  });

  it("reads datumaro's Ultralytics-style tree with obj.names and no data.yaml", async () => {
    const { classes, images, problems } = await read({
      "obj.names": "label_0\nlabel_1\nlabel_2\n\n",
      "images/train/1.jpg": jpegBytes(10, 15),
      "labels/train/1.txt":
        "2 0.500000 0.533333 0.600000 0.266667\n1 0.300000 0.500000 0.200000 0.133333\n",
      "images/val/2.jpg": jpegBytes(10, 15),
      "labels/val/2.txt": "",
      "images/val/3.jpg": jpegBytes(10, 15),
    });
    expect(problems).toEqual([]);
    expect(classes.map((c) => c.name)).toEqual(["label_0", "label_1", "label_2"]);
    expect(images.map((i) => [i.image.path, i.image.split, i.image.annotations.length])).toEqual([
      ["1.jpg", "train", 2],
      ["2.jpg", "val", 0],
      ["3.jpg", "val", 0],
    ]);
    const box = images[0]!.image.annotations[0]!;
    expect(box.class_name).toBe("label_2");
    if (box.type !== "bbox") throw new Error("expected a box");
    for (const [key, value] of Object.entries({ x: 2, y: 6, w: 6, h: 4 }))
      expect(box.bbox[key as keyof typeof box.bbox]).toBeCloseTo(value, 4);
  });

  it("reads Roboflow's <split>/images tree and names given as a list", async () => {
    const { images, problems } = await read({
      "data.yaml": "train: ../train/images\nval: ../valid/images\nnc: 2\nnames: ['cat', 'dog']\n",
      "train/images/a.jpg": pngBytes(100, 50),
      "train/labels/a.txt": "1 0.5 0.5 0.2 0.2\n",
      "valid/images/b.jpg": pngBytes(100, 50),
    });
    expect(problems).toEqual([]);
    expect(images.map((i) => [i.image.path, i.image.split])).toEqual([
      ["a.jpg", "train"],
      ["b.jpg", "val"],
    ]);
    expect(images[0]!.image.annotations[0]).toMatchObject({
      class_name: "dog",
      bbox: { x: 40, y: 20, w: 20, h: 10 },
    });
  });

  it("denormalises by the upright size of an EXIF-rotated JPEG", async () => {
    const { images } = await read({
      "data.yaml": 'train: images/train\nval: images/train\nnames: {0: "a"}\n',
      "images/train/rotated.jpg": jpegBytes(200, 100, 6),
      "labels/train/rotated.txt": "0 0.5 0.5 1 1\n",
    });
    expect(images[0]!.image).toMatchObject({ width: 100, height: 200, split: null });
    expect(images[0]!.image.annotations[0]).toMatchObject({ bbox: { x: 0, y: 0, w: 100, h: 200 } });
  });

  it("reports bad lines by line number, labels without images and unmeasurable images", async () => {
    const { images, problems } = await read({
      "data.yaml": "train: images/train\nval: images/val\nnc: 3\nnames: {0: a, 1: b}\n",
      "images/train/x.png": pngBytes(10, 10),
      "labels/train/x.txt":
        "0 0.5 0.5 0.2 0.2\n7 0.5 0.5 0.2 0.2\n0 0.5 NaN 0.2 0.2\n0 0.5 0.5\n\n1 2 2 0.1 0.1\n1 0.1 0.1 0.5 0.1 0.5 0.5\n",
      "labels/train/orphan.txt": "0 0.5 0.5 0.2 0.2\n",
      "images/val/broken.jpg": "not an image",
    });
    expect(images.map((i) => i.image.annotations.map((a) => a.type))).toEqual([
      ["bbox", "polygon"],
    ]);
    expect(problems.map((p) => [p.file, p.line, p.reason])).toEqual([
      ["data.yaml", null, "nc is 3 but names lists 2 classes"],
      [
        "labels/train/orphan.txt",
        null,
        "label file has no image file (expected under the matching images folder)",
      ],
      ["labels/train/x.txt", 2, 'class "7" is not a class index in names'],
      ["labels/train/x.txt", 3, "coordinates must be numbers"],
      [
        "labels/train/x.txt",
        4,
        'expected "class cx cy w h" or a polygon "class x1 y1 x2 y2 x3 y3 …", got 3 values',
      ],
      ["labels/train/x.txt", 6, "box has no area inside the image"],
      [
        "images/val/broken.jpg",
        null,
        expect.stringContaining("image not imported: cannot measure image size"),
      ],
    ]);
  });

  it("turns hostile YAML into a problem", async () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      ...Array.from({ length: 12 }, (_, i) => {
        const prev = i === 0 ? "a" : `a${i - 1}`;
        return `a${i}: &a${i} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
      }),
      "names: [x]",
    ].join("\n");
    const cases: Array<[string, string]> = [
      [bomb, "not valid YAML: Excessive alias count indicates a resource exhaustion attack"],
      [
        "names: [unclosed",
        "not valid YAML: Flow sequence in block collection must be sufficiently indented",
      ],
      ["- just\n- a list\n", "data.yaml must be a mapping"],
      ["names: 5", "names must be a list or an index → name map"],
    ];
    for (const [text, reason] of cases) {
      const { images, problems } = await read({
        "data.yaml": text,
        "images/train/x.png": pngBytes(4, 4),
      });
      expect(problems[0]!.reason).toContain(reason);
      expect(images.map((i) => i.image.path)).toEqual(["x.png"]);
    }
  });
});
