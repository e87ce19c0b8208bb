import { join } from "node:path";
import { ClassListSchema, DatasetImageSchema } from "@pictograph/schema";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { datasetArbitrary } from "../core/random-dataset";
import { goldenDifferences } from "../golden-files";
import { collectExport } from "../test/collect";
import { fixtureSource, memorySource } from "../test/fixture";
import { pythonJson, writeLabelme } from "./write";

const golden = (variant: string) => join(import.meta.dirname, "golden", variant);

describe("labelme writer", () => {
  it("matches the golden files for every status with images", async () => {
    const out = await collectExport(writeLabelme, fixtureSource({ include_images: true }));
    expect(goldenDifferences(golden("all-with-images"), out)).toEqual([]);
  });

  it("matches the golden files for class_filter [car] without images", async () => {
    const out = await collectExport(
      writeLabelme,
      fixtureSource({ include_images: false, class_filter: ["car"] }),
    );
    expect(goldenDifferences(golden("car-only"), out)).toEqual([]);
  });

  it("puts <stem>.json beside <path> at the ZIP root, naming the image file in imagePath", async () => {
    const out = await collectExport(writeLabelme, fixtureSource({ include_images: true }));
    expect(out.order.slice(0, 4)).toEqual([
      "batch1/street.jpg",
      "batch1/street.json",
      "batch2/street.jpg",
      "batch2/street.json",
    ]);
    const empty = JSON.parse(out.files.get("empty.json")!);
    expect(empty).toEqual({
      version: "5.7.0",
      flags: {},
      shapes: [],
      imagePath: "empty.png",
      imageData: null,
      imageHeight: 240,
      imageWidth: 320,
    });
  });

  it("writes every file exactly as pythonJson writes what it holds", async () => {
    await fc.assert(
      fc.asyncProperty(datasetArbitrary, async ({ classes, images }) => {
        const out = await collectExport(
          writeLabelme,
          memorySource(images, classes, { status_filter: "all" }),
        );
        for (const [path, body] of out.files)
          if (path.endsWith(".json")) expect(body).toBe(`${pythonJson(JSON.parse(body))}\n`);
      }),
      { numRuns: 60 },
    );
  });

  it("formats like Python's json.dump(indent=2, ensure_ascii=False): floats keep .0, non-ASCII stays", () => {
    expect(pythonJson({ points: [[1, 2.5]], n: 3, s: "é\u0001", e: [], o: {} })).toBe(
      '{\n  "points": [\n    [\n      1.0,\n      2.5\n    ]\n  ],\n  "n": 3,\n  "s": "é\\u0001",\n  "e": [],\n  "o": {}\n}',
    );
    expect(pythonJson({ points: [[1e-7, 1e16]] })).toContain("1e-07,\n      1e+16");
    // Only a shape's point list is all floats: an attribute that happens to be called
    // "points" is written as its own value.
    expect(pythonJson({ attributes: { points: 5 } })).toContain('"points": 5\n');
  });

  it("keeps boolean attributes in flags, others under attributes, and joint/confidence/z_order under pictograph", async () => {
    const classes = ClassListSchema.parse([{ name: "p", color: "#000000", keypoints: ["head"] }]);
    const image = DatasetImageSchema.parse({
      path: "x.jpg",
      width: 10,
      height: 10,
      annotations: [
        {
          type: "keypoint",
          class_name: "p",
          keypoint: { x: 1, y: 2 },
          instance_id: 4,
          joint: "head",
          attributes: { seen: false, note: "a&b" },
          confidence: 0.5,
          z_order: -1,
        },
      ],
    });
    const out = await collectExport(
      writeLabelme,
      memorySource([image], classes, { status_filter: "all" }),
    );
    expect(JSON.parse(out.files.get("x.json")!).shapes[0]).toEqual({
      label: "p",
      points: [[1, 2]],
      group_id: 4,
      description: "",
      shape_type: "point",
      flags: { seen: false },
      mask: null,
      attributes: { note: "a&b" },
      pictograph: { confidence: 0.5, z_order: -1, joint: "head" },
    });
  });
});
