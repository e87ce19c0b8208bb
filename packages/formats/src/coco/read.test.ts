import { describe, expect, it } from "vitest";
import { memoryArchive } from "../archive/memory-archive";
import { readAll } from "../export-expectation";
import { readCoco, readCocoFiles } from "./read";

async function read(files: Record<string, string | Uint8Array>, maxJsonBytes?: number) {
  const result = await readCoco(memoryArchive(files), { maxJsonBytes });
  const images = await readAll(result);
  return { classes: result.classes, images, problems: result.problems };
}

const datumaroInfo = {
  contributor: "",
  date_created: "",
  description: "",
  url: "",
  version: "",
  year: "",
};

// Shaped like datumaro's tests/assets/coco_dataset/coco_instances: category ids 1, 2, 4 and
// an image with id 5.
const datumaroInstances = {
  "annotations/instances_train.json": JSON.stringify({
    licenses: [{ name: "", id: 0, url: "" }],
    info: datumaroInfo,
    categories: [
      { id: 1, name: "a", supercategory: "" },
      { id: 2, name: "b", supercategory: "" },
      { id: 4, name: "c", supercategory: "" },
    ],
    images: [
      {
        id: 5,
        width: 5,
        height: 10,
        file_name: "a.jpg",
        license: 0,
        flickr_url: "",
        coco_url: "",
        date_captured: 0,
      },
    ],
    annotations: [
      {
        id: 1,
        image_id: 5,
        category_id: 2,
        segmentation: [],
        area: 3.0,
        bbox: [2.0, 2.0, 3.0, 1.0],
        iscrowd: 0,
      },
    ],
  }),
  "annotations/instances_val.json": JSON.stringify({
    licenses: [{ name: "", id: 0, url: "" }],
    info: datumaroInfo,
    categories: [
      { id: 1, name: "a", supercategory: "" },
      { id: 2, name: "b", supercategory: "" },
      { id: 4, name: "c", supercategory: "" },
    ],
    images: [
      {
        id: 40,
        width: 5,
        height: 10,
        file_name: "b.jpg",
        license: 0,
        flickr_url: "",
        coco_url: "",
        date_captured: 0,
      },
    ],
    annotations: [
      {
        id: 1,
        image_id: 40,
        category_id: 1,
        segmentation: [[0.0, 0.0, 1.0, 0.0, 1.0, 2.0, 0.0, 2.0]],
        area: 2.0,
        bbox: [0.0, 0.0, 1.0, 2.0],
        iscrowd: 0,
        attributes: { x: 1, y: "hello" },
      },
      {
        id: 2,
        image_id: 40,
        category_id: 4,
        segmentation: { counts: [0, 10, 5, 5, 5, 5, 0, 10, 10, 0], size: [10, 5] },
        area: 30.0,
        bbox: [0.0, 0.0, 3.0, 10.0],
        iscrowd: 1,
      },
    ],
  }),
  "images/train/a.jpg": "jpeg bytes",
  "images/val/b.jpg": "jpeg bytes",
};

// Shaped like a Roboflow COCO export: category 0 is the project (the others' supercategory),
// 0-based image ids, images beside the JSON, "valid" for the validation split.
const roboflow = {
  "train/_annotations.coco.json": JSON.stringify({
    info: {
      year: "2020",
      version: "1",
      description: "Exported from roboflow.ai",
      contributor: "Roboflow",
      url: "",
      date_created: "2000-01-01T00:00:00+00:00",
    },
    licenses: [
      { id: 1, url: "https://creativecommons.org/publicdomain/zero/1.0/", name: "Public Domain" },
    ],
    categories: [
      { id: 0, name: "Workers", supercategory: "none" },
      { id: 1, name: "head", supercategory: "Workers" },
      { id: 2, name: "helmet", supercategory: "Workers" },
    ],
    images: [
      {
        id: 0,
        license: 1,
        file_name: "0001.jpg",
        height: 275,
        width: 490,
        date_captured: "2020-07-20T19:39:26+00:00",
      },
    ],
    annotations: [
      {
        id: 0,
        image_id: 0,
        category_id: 2,
        bbox: [45, 2, 85, 85],
        area: 7225,
        segmentation: [],
        iscrowd: 0,
      },
      {
        id: 1,
        image_id: 0,
        category_id: 1,
        bbox: [324, 29, 72, 81],
        area: 5832,
        segmentation: [],
        iscrowd: 0,
      },
    ],
  }),
  "train/0001.jpg": "jpeg bytes",
  "valid/_annotations.coco.json": JSON.stringify({
    info: {},
    licenses: [],
    categories: [
      { id: 0, name: "Workers", supercategory: "none" },
      { id: 1, name: "head", supercategory: "Workers" },
      { id: 2, name: "helmet", supercategory: "Workers" },
    ],
    images: [{ id: 0, license: 1, file_name: "0002.jpg", height: 100, width: 100 }],
    annotations: [],
  }),
};

describe("coco reader", () => {
  it("reads datumaro's coco_instances shape: non-contiguous category ids, image id 5", async () => {
    const { classes, images, problems } = await read(datumaroInstances);
    expect(classes.map((c) => c.name)).toEqual(["a", "b", "c"]);
    expect(images.map((i) => [i.image.path, i.image.split, i.file])).toEqual([
      ["a.jpg", "train", "images/train/a.jpg"],
      ["b.jpg", "val", "images/val/b.jpg"],
    ]);
    expect(images[0]!.image.annotations).toEqual([
      expect.objectContaining({ type: "bbox", class_name: "b", bbox: { x: 2, y: 2, w: 3, h: 1 } }),
    ]);
    const [polygon, mask] = images[1]!.image.annotations;
    expect(polygon).toMatchObject({
      type: "polygon",
      class_name: "a",
      polygon: {
        paths: [
          [
            { x: 0, y: 0 },
            { x: 1, y: 0 },
            { x: 1, y: 2 },
            { x: 0, y: 2 },
          ],
        ],
      },
      attributes: { x: 1, y: "hello" },
    });
    expect(mask).toMatchObject({
      type: "bbox",
      class_name: "c",
      bbox: { x: 0, y: 0, w: 3, h: 10 },
    });
    expect(problems).toEqual([
      {
        file: "annotations/instances_val.json",
        line: null,
        element: "annotations[1]",
        reason: "RLE mask imported as its bbox: the mask's shape is not kept",
      },
    ]);
  });

  it("reads Roboflow's layout without its project pseudo-category", async () => {
    const { classes, images, problems } = await read(roboflow);
    expect(problems).toEqual([]);
    expect(classes.map((c) => c.name)).toEqual(["head", "helmet"]);
    expect(
      images.map((i) => [i.image.path, i.image.split, i.file, i.image.annotations.length]),
    ).toEqual([
      ["0001.jpg", "train", "train/0001.jpg", 2],
      ["0002.jpg", "val", null, 0],
    ]);
    expect(images[0]!.image.annotations[0]).toMatchObject({
      class_name: "helmet",
      bbox: { x: 45, y: 2, w: 85, h: 85 },
    });
  });

  it("reports annotations that reference a missing image or category and keeps the rest", async () => {
    const doc = {
      info: {},
      licenses: [],
      categories: [{ id: 1, name: "car" }],
      images: [{ id: 1, width: 10, height: 10, file_name: "x.jpg" }],
      annotations: [
        { id: 1, image_id: 9, category_id: 1, bbox: [0, 0, 1, 1] },
        { id: 2, image_id: 1, category_id: 3, bbox: [0, 0, 1, 1] },
        { id: 3, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] },
      ],
    };
    const { images, problems } = await read({
      "annotations/instances_default.json": JSON.stringify(doc),
    });
    expect(problems.map((p) => [p.element, p.reason])).toEqual([
      ["annotations[0]", "annotation refers to image id 9, which is not in images"],
      ["annotations[1]", "annotation refers to category id 3, which is not in categories"],
    ]);
    expect(images[0]!.image).toMatchObject({
      path: "x.jpg",
      split: null,
      annotations: [{ class_name: "car" }],
    });
  });

  it("turns wrong types, huge numbers and bad paths into problems", async () => {
    const doc = {
      categories: [
        { id: 1, name: "car" },
        { id: 1.5, name: "bad" },
        { id: 2, name: " padded " },
      ],
      images: [
        { id: 1, width: 10, height: 10, file_name: "../escape.jpg" },
        { id: 2.5, width: 10, height: 10, file_name: "float.jpg" },
        { id: 3, width: 1e308, height: 10, file_name: "huge.jpg" },
        { id: 4, width: 10, height: 10, file_name: "ok.jpg" },
        { id: 4, width: 10, height: 10, file_name: "again.jpg" },
      ],
      annotations: [
        { id: 1, image_id: 4, category_id: 1, bbox: [0, 0, "1", 1] },
        { id: 2, image_id: 4, category_id: 1, bbox: [0, 0, 1, 1], segmentation: [[1, 2, 3]] },
        {
          id: 3,
          image_id: 4,
          category_id: 1,
          bbox: [0, 0, 1, 1],
          score: 7,
          attributes: { a: [1] },
        },
        "nonsense",
      ],
    };
    const { classes, images, problems } = await read({
      "annotations/instances_default.json": JSON.stringify(doc),
    });
    expect(classes.map((c) => c.name)).toEqual(["car"]);
    expect(images.map((i) => i.image.path)).toEqual(["ok.jpg"]);
    expect(images[0]!.image.annotations).toHaveLength(2);
    const reasons = problems.map((p) => `${p.element}: ${p.reason}`);
    expect(reasons).toEqual([
      "categories[1]: category needs a whole-number id",
      expect.stringMatching(
        /^categories\[2\]: category not imported: class name must not start or end with white space/,
      ),
      "images[1]: image needs a whole-number id",
      "images[4]: image id 4 is listed twice; the second is not imported",
      "annotations[3]: annotation must be an object",
      expect.stringMatching(/^images\[0\]: image not imported: .*'\.\.'/),
      expect.stringMatching(/^images\[2\]: image not imported: .*image width must be at most/),
      "annotations[0]: bbox must be 4 finite numbers [x, y, width, height]; not imported",
      "annotations[1]: segmentation polygon 0 must be an even list of at least 6 numbers; not imported",
      'annotations[2]: attribute "a" must be text, a number or true/false; ignored',
      "annotations[2]: score must be a number from 0 to 1; ignored",
    ]);
  });

  it("reports a file with no COCO annotation file, bad JSON, or one over the size limit", async () => {
    expect((await read({ "x.txt": "" })).problems[0]!.reason).toContain(
      "no COCO annotation file found",
    );
    expect((await read({ "annotations/instances_train.json": "{" })).problems[0]!.reason).toContain(
      "not valid JSON",
    );
    expect((await read({ "annotations/instances_train.json": "[]" })).problems[0]!.reason).toBe(
      "a COCO file must be a JSON object",
    );
    const big = await read(datumaroInstances, 64);
    expect(big.problems.map((p) => p.reason)).toEqual([
      "cannot read file: annotations/instances_train.json: larger than 64 bytes",
      "cannot read file: annotations/instances_val.json: larger than 64 bytes",
    ]);
  });

  it("reads keypoints in the category's joint order, visible and occluded, skipping absent ones", async () => {
    const doc = {
      categories: [
        { id: 1, name: "person", keypoints: ["head", "hand", "foot"], skeleton: [[1, 2]] },
      ],
      images: [{ id: 1, width: 100, height: 100, file_name: "p.jpg" }],
      annotations: [
        {
          id: 1,
          image_id: 1,
          category_id: 1,
          bbox: [0, 0, 9, 9],
          keypoints: [1, 2, 2, 0, 0, 0, 5, 6, 1],
          num_keypoints: 2,
        },
        {
          id: 2,
          image_id: 1,
          category_id: 1,
          bbox: [0, 0, 9, 9],
          keypoints: [1, 2, 2],
          num_keypoints: 1,
        },
      ],
    };
    const { classes, images, problems } = await read({
      "annotations/instances_default.json": JSON.stringify(doc),
    });
    expect(classes[0]!.keypoints).toEqual(["head", "hand", "foot"]);
    expect(images[0]!.image.annotations).toEqual([
      expect.objectContaining({
        type: "keypoint",
        joint: "head",
        keypoint: { x: 1, y: 2 },
        instance_id: 1,
        occluded: false,
      }),
      expect.objectContaining({
        type: "keypoint",
        joint: "foot",
        keypoint: { x: 5, y: 6 },
        instance_id: 1,
        occluded: true,
      }),
      expect.objectContaining({ type: "bbox", bbox: { x: 0, y: 0, w: 9, h: 9 } }),
    ]);
    expect(problems.map((p) => p.reason)).toEqual([
      "keypoints must be 9 numbers (x, y, v for each joint); not imported",
    ]);
  });
  it("groups annotations that are not in image order, in any number of passes, with members in any order", async () => {
    // Annotations first, then images, then categories; image 3's annotations are scattered.
    const annotations = [3, 1, 3, 2, 3, 1].map((imageId, i) => ({
      id: i + 1,
      image_id: imageId,
      category_id: (i % 2) + 1,
      bbox: [i, 0, 1, 1],
    }));
    const text = `{"annotations": ${JSON.stringify(annotations)}, "images": ${JSON.stringify(
      [1, 2, 3, 4].map((id) => ({ id, width: 10, height: 10, file_name: `${id}.jpg` })),
    )}, "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "bus"}]}`;
    const files = { "annotations/instances_train.json": text };
    const expected = [
      ["1.jpg", [1, 5]],
      ["2.jpg", [3]],
      ["3.jpg", [0, 2, 4]],
      ["4.jpg", []],
    ];
    // 1 character per window: a pass per image with annotations; the default: one for all.
    for (const [windowChars, passes] of [
      [1, 1 + 3],
      [undefined, 1 + 1],
    ] as const) {
      const archive = memoryArchive(files);
      let opened = 0;
      const open = archive.open.bind(archive);
      archive.open = (path) => (opened++, open(path));
      const result = await readCocoFiles(archive, { windowChars });
      expect(result.expectedImages).toBe(4);
      const images = await readAll(result);
      expect(result.problems).toEqual([]);
      expect(result.classes.map((c) => c.name)).toEqual(["car", "bus"]);
      expect(
        images.map(({ image }) => [
          image.path,
          image.annotations.map((a) => (a as { bbox: { x: number } }).bbox.x),
        ]),
      ).toEqual(expected);
      expect(images[2]!.image.annotations.map((a) => a.class_name)).toEqual(["car", "car", "car"]);
      expect(opened).toBe(passes);
    }
  });

  it("keeps the last of a repeated member, as JSON.parse does", async () => {
    const text = `{"images": [{"id": 1, "width": 5, "height": 5, "file_name": "old.jpg"}],
      "categories": [{"id": 1, "name": "car"}],
      "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}],
      "images": [{"id": 2, "width": 5, "height": 5, "file_name": "new.jpg"}],
      "annotations": [{"id": 2, "image_id": 2, "category_id": 1, "bbox": [2, 2, 1, 1]}]}`;
    const { images, problems } = await read({ "annotations/instances_train.json": text });
    expect(problems).toEqual([]);
    expect(images.map(({ image }) => [image.path, image.annotations.length])).toEqual([
      ["new.jpg", 1],
    ]);
  });

  it("imports nothing from a file broken after its first images", async () => {
    const images = Array.from({ length: 50 }, (_, i) => ({
      id: i,
      width: 5,
      height: 5,
      file_name: `${i}.jpg`,
    }));
    const text = `{"categories": [], "images": ${JSON.stringify(images)}, "annotations": [}`;
    const result = await read({ "annotations/instances_train.json": text });
    expect(result.images).toEqual([]);
    expect(result.problems.map((p) => p.reason)).toEqual([
      expect.stringMatching(/^not valid JSON: /),
    ]);
  });
});
