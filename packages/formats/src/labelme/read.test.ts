import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memoryArchive } from "../archive/memory-archive";
import { datasetArbitrary, exportOptionsArbitrary } from "../core/random-dataset";
import { readAll, roundTripExpectations } from "../export-expectation";
import { pngBytes } from "../image-stub";
import { collectExport, collectedFiles } from "../test/collect";
import { fixtureClasses, fixtureImages, fixtureSource, memorySource } from "../test/fixture";
import { CIRCLE_VERTICES, readLabelme } from "./read";
import { writeLabelme } from "./write";

async function read(files: Record<string, string | Uint8Array>, maxJsonBytes?: number) {
  const result = await readLabelme(memoryArchive(files), { maxJsonBytes });
  const images = await readAll(result);
  return { classes: result.classes, images, problems: result.problems };
}

const shape = (
  label: string,
  shapeType: string,
  points: unknown[][],
  extra: Record<string, unknown> = {},
) => ({
  label,
  points,
  group_id: null,
  description: "",
  shape_type: shapeType,
  flags: {},
  mask: null,
  ...extra,
});

// Shaped like wkentaro/labelme examples/primitives/primitives.json (5.7.0): one shape of every
// shape_type, including mask, description and points.
const PRIMITIVES = {
  version: "5.7.0",
  flags: {},
  shapes: [
    shape("rectangle", "rectangle", [
      [32, 35],
      [132, 135],
    ]),
    shape("circle", "circle", [
      [195, 84],
      [225, 84],
    ]),
    shape(
      "rectangle",
      "rectangle",
      [
        [542, 135],
        [391, 33],
      ],
      { description: "drawn backwards" },
    ),
    shape("polygon", "polygon", [
      [69, 318],
      [45, 403],
      [173, 406],
      [198, 321],
    ]),
    shape("line", "line", [
      [188, 178],
      [160, 224],
    ]),
    shape("point", "point", [[345, 174]]),
    shape("line_strip", "linestrip", [
      [440.537, 181.463],
      [402.537, 274.463],
      [544.537, 275.463],
    ]),
    shape(
      "points",
      "points",
      [
        [10, 10],
        [20, 20],
      ],
      { group_id: 3 },
    ),
    shape("oriented_rectangle", "oriented_rectangle", [
      [300, 300],
      [340, 320],
      [330, 340],
      [290, 320],
    ]),
    shape(
      "mask",
      "mask",
      [
        [10, 10],
        [12, 12],
      ],
      { mask: "iVBORw0KGgo=" },
    ),
  ],
  imagePath: "primitives.jpg",
  imageData: null,
  imageHeight: 450,
  imageWidth: 560,
};

// Shaped like examples/bbox_detection/data_annotated/2011_000003.json (labelme 4.0.0): no
// description or mask keys, float corners.
const BBOX_DETECTION = {
  version: "4.0.0",
  flags: {},
  shapes: [
    {
      label: "person",
      points: [
        [191.0, 107.36900369003689],
        [313.0, 329.36900369003695],
      ],
      group_id: null,
      shape_type: "rectangle",
      flags: {},
    },
    {
      label: "person",
      points: [
        [365.0, 83.0],
        [500.0, 333.0],
      ],
      group_id: null,
      shape_type: "rectangle",
      flags: {},
    },
  ],
  imagePath: "2011_000003.jpg",
  imageData: null,
  imageHeight: 338,
  imageWidth: 500,
};

const file = (value: unknown) => JSON.stringify(value, null, 2);

describe("labelme reader", () => {
  it("reads back the fixture export: every shape, attribute and extra; classes by first appearance", async () => {
    const out = await collectExport(writeLabelme, fixtureSource());
    const result = await read(collectedFiles(out));
    expect(result.problems).toEqual([]);
    const expected = roundTripExpectations.labelme(
      fixtureImages,
      fixtureClasses,
      fixtureSource().options,
    );
    expect(result.classes).toEqual(expected.classes);
    expect(result.images).toEqual(expected.images.map((image) => ({ image, file: image.path })));
  });

  it("reads every primitive: rectangles in any corner order, lines, points; converts or reports the rest", async () => {
    const result = await read({ "primitives.json": file(PRIMITIVES), "primitives.jpg": "jpeg" });
    expect(result.classes.map((c) => c.name)).toEqual([
      "rectangle",
      "circle",
      "polygon",
      "line",
      "point",
      "line_strip",
      "points",
      "oriented_rectangle",
      "mask",
    ]);
    const [item] = result.images;
    expect(item!.file).toBe("primitives.jpg");
    const annotations = item!.image.annotations;
    expect(annotations.map((a) => `${a.class_name}:${a.type}`)).toEqual([
      "rectangle:bbox",
      "circle:polygon",
      "rectangle:bbox",
      "polygon:polygon",
      "line:polyline",
      "point:keypoint",
      "line_strip:polyline",
      "points:keypoint",
      "points:keypoint",
      "oriented_rectangle:polygon",
    ]);
    expect(annotations[2]).toMatchObject({
      bbox: { x: 391, y: 33, w: 151, h: 102 },
      attributes: { description: "drawn backwards" },
    });
    const circle = annotations[1]!;
    if (circle.type === "polygon") {
      expect(circle.polygon.paths[0]).toHaveLength(CIRCLE_VERTICES);
      expect(circle.polygon.paths[0]![0]).toEqual({ x: 225, y: 84 });
    }
    expect(annotations.slice(7, 9).map((a) => a.type === "keypoint" && a.instance_id)).toEqual([
      3, 3,
    ]);
    expect(result.problems.map((p) => [p.element, p.reason.split(" (")[0]])).toEqual([
      ["shapes[1]", "circle imported as a 32-point polygon"],
      ["shapes[7]", '"points" shape imported as 2 keypoint(s) of instance 3'],
      ["shapes[8]", "oriented_rectangle imported as a 4-point polygon"],
      ["shapes[9]", "mask shapes are not imported"],
    ]);
  });

  it("reads a labelme 4 bbox_detection file with its image beside it", async () => {
    const result = await read({
      "data_annotated/2011_000003.json": file(BBOX_DETECTION),
      "data_annotated/2011_000003.jpg": "j",
    });
    expect(result.problems).toEqual([]);
    expect(result.images).toEqual([
      {
        file: "data_annotated/2011_000003.jpg",
        image: expect.objectContaining({
          path: "data_annotated/2011_000003.jpg",
          width: 500,
          height: 338,
        }),
      },
    ]);
    expect(result.images[0]!.image.annotations[0]).toMatchObject({
      class_name: "person",
      bbox: { x: 191, y: 107.36900369003689, w: 122, h: 329.36900369003695 - 107.36900369003689 },
    });
  });

  it("enforces labelme's point counts and value types shape by shape", async () => {
    const data = {
      ...BBOX_DETECTION,
      shapes: [
        shape("a", "rectangle", [
          [123456789, 1],
          [2, 2],
        ]),
        shape("a", "rectangle", [
          [1, 1],
          [2, 2],
          [3, 3],
        ]),
        shape("a", "point", [
          [1, 1],
          [2, 2],
        ]),
        shape("a", "polygon", [
          [1, 1],
          [2, 2],
        ]),
        shape("a", "line", [[1, 1]]),
        shape("a", "linestrip", [
          [1, "2"],
          [3, 4],
        ]),
        shape("a", "ellipse", [[1, 1]]),
        { ...shape("a", "point", [[1, 1]]), group_id: true, flags: { ok: "yes", fine: true } },
        { points: [[1, 1]], shape_type: "point" },
        shape("a", "rectangle", [
          [1, 1],
          [1, 5],
        ]),
        "not a shape",
      ],
    };
    // JSON has no infinity; a number too large for a double parses as one.
    const result = await read({ "x.json": file(data).replace("123456789", "1e400") });
    expect(result.images[0]!.image.annotations).toEqual([
      expect.objectContaining({ type: "keypoint", instance_id: null, attributes: { fine: true } }),
    ]);
    expect(result.problems.map((p) => [p.element, p.reason])).toEqual([
      ["shapes[0]", "points must be a non-empty list of [x, y] finite numbers"],
      ["shapes[1]", "a rectangle has exactly 2 point(s), this one has 3"],
      ["shapes[2]", "a point has exactly 1 point(s), this one has 2"],
      ["shapes[3]", "a polygon needs at least 3 points, this one has 2"],
      ["shapes[4]", "a line has exactly 2 point(s), this one has 1"],
      ["shapes[5]", "points must be a non-empty list of [x, y] finite numbers"],
      ["shapes[6]", 'shape_type "ellipse" is not a labelme shape type'],
      ["shapes[7]", "group_id must be an integer or null; ignored"],
      ["shapes[7]", 'flag "ok" is not true/false; ignored'],
      ["shapes[8]", "shape label must be a string"],
      ["shapes[9]", "shape not imported: box width must be greater than 0"],
      ["shapes[10]", "shape is not an object"],
    ]);
  });

  it("reports labels that cannot be class names, once for the label and once per shape", async () => {
    const data = {
      ...BBOX_DETECTION,
      shapes: [shape(" padded", "point", [[1, 1]]), shape("bell\u0007", "point", [[1, 1]])],
    };
    const result = await read({ "x.json": file(data) });
    expect(result.classes).toEqual([]);
    expect(result.problems.map((p) => [p.element, p.reason])).toEqual([
      [
        null,
        'label " padded" is not a valid class name: class name must not start or end with white space',
      ],
      [
        null,
        'label "bell\\u0007" is not a valid class name: class name must not contain control characters',
      ],
      ["shapes[0]", 'label " padded" is not a valid class name; shape not imported'],
      ["shapes[1]", 'label "bell\\u0007" is not a valid class name; shape not imported'],
    ]);
  });

  it("resolves imagePath as labelme does: beside the JSON, Windows separators, never outside its folder", async () => {
    const at = (imagePath: unknown, extra = {}) =>
      file({ ...BBOX_DETECTION, shapes: [], imagePath, ...extra });
    const result = await read({
      "a/one.json": at("sub\\one.jpg"),
      "a/sub/one.jpg": "x",
      "a/two.json": at("..\\..\\etc\\two.jpg"),
      "a/three.json": at(null),
      "a/three.png": "x",
      "a/four.json": at("four.jpg", { imageData: "aGVsbG8=" }),
      "a/five.json": at(42),
    });
    expect(result.images.map((i) => [i.image.path, i.file])).toEqual([
      ["a/four.jpg", null],
      ["a/sub/one.jpg", "a/sub/one.jpg"],
      ["a/three.png", "a/three.png"],
      ["a/two.jpg", null],
    ]);
    expect(result.problems.map((p) => [p.file, p.reason])).toEqual([
      ["a/five.json", "imagePath missing"],
      ["a/five.json", "no image found for this file; not imported"],
      ["a/four.json", "embedded imageData is not imported"],
      ["a/three.json", "imagePath missing"],
      [
        "a/two.json",
        'imagePath "..\\..\\etc\\two.jpg" points outside the JSON\'s folder; "a/two.jpg" used',
      ],
    ]);
  });

  it("measures the image when imageWidth/imageHeight are missing, and reports files that are not labelme", async () => {
    const result = await read(
      {
        "m.json": file({ ...BBOX_DETECTION, imagePath: "m.png", imageWidth: null }),
        "m.png": pngBytes(12, 7),
        "meta.json": file({ labels: ["a"] }),
        "bad.json": "{ not json",
        "big.json": file({ ...BBOX_DETECTION, pad: "x".repeat(2000) }),
      },
      1000,
    );
    expect(result.images.map((i) => [i.image.path, i.image.width, i.image.height])).toEqual([
      ["m.png", 12, 7],
    ]);
    expect(result.problems.map((p) => [p.file, p.reason.split(":")[0]])).toEqual([
      ["bad.json", "not valid JSON"],
      ["big.json", "cannot read file"],
      ["meta.json", 'not a labelme file (no "shapes" list); skipped'],
    ]);
  });

  it("gives back any valid dataset a writer was given, minus the documented losses, with no problems", async () => {
    await fc.assert(
      fc.asyncProperty(
        datasetArbitrary.chain((d) => fc.tuple(fc.constant(d), exportOptionsArbitrary(d.classes))),
        async ([dataset, options]) => {
          const out = await collectExport(
            writeLabelme,
            memorySource(dataset.images, dataset.classes, options),
          );
          const result = await read(collectedFiles(out));
          expect(result.problems).toEqual([]);
          const expected = roundTripExpectations.labelme(dataset.images, dataset.classes, options);
          expect(result.classes).toEqual(expected.classes);
          expect(result.images.map((i) => i.image)).toEqual(expected.images);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("never throws on random or mutated labelme files", async () => {
    const out = await collectExport(writeLabelme, fixtureSource({ include_images: false }));
    const valid = new TextEncoder().encode(out.files.get("batch2/street.json")!);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc
            .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
              minLength: 1,
              maxLength: 8,
            })
            .map((edits) => {
              const copy = valid.slice();
              for (const [at, value] of edits) copy[at] = value;
              return copy;
            }),
          fc.jsonValue().map((v) =>
            new TextEncoder().encode(
              JSON.stringify({
                ...BBOX_DETECTION,
                shapes: [v, { label: "a", points: v, shape_type: v }],
              }),
            ),
          ),
        ),
        async (bytes) => {
          const result = await read({ "x.json": bytes });
          expect(Array.isArray(result.problems)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
