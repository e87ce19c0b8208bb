import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { goldenDifferences } from "../golden-files";
import { collectExport } from "../test/collect";
import { fixtureClasses, fixtureImages, fixtureSource, memorySource } from "../test/fixture";
import { yamlQuoted } from "./data-yaml";
import { labelPath } from "./label-path";
import { writeYolo } from "./write";

const golden = (variant: string) => join(import.meta.dirname, "golden", variant);

describe("yolo writer", () => {
  it("matches the golden files for every status with images", async () => {
    const out = await collectExport(writeYolo, fixtureSource({ include_images: true }));
    expect(goldenDifferences(golden("all-with-images"), out)).toEqual([]);
  });

  it("matches the golden files for class_filter [car] without images", async () => {
    const out = await collectExport(
      writeYolo,
      fixtureSource({ include_images: false, class_filter: ["car"] }),
    );
    expect(goldenDifferences(golden("car-only"), out)).toEqual([]);
  });

  it("writes a data.yaml a YAML parser reads back to the exact class names", async () => {
    const out = await collectExport(writeYolo, fixtureSource());
    const data = parse(out.files.get("data.yaml")!);
    expect(data).toEqual({
      train: "images/train",
      val: "images/val",
      nc: 5,
      names: { 0: "car", 1: 'a&b <c>, "d"', 2: "person", 3: "road", 4: "unused" },
    });
    expect(out.files.get("classes.txt")).toBe('car\na&b <c>, "d"\nperson\nroad\nunused\n');
  });

  it.each([
    ["yes"],
    ["null"],
    ["1.0"],
    ["~"],
    ["- x"],
    ["a: b"],
    ["#tag"],
    ["'q'"],
    ["back\\slash"],
    ["tab\there"],
    ["line\u2028sep"],
    ["bom\ufeff"],
    ["😀 emoji"],
    ["nonchar\uffff"],
    ["%x"],
    ["@at"],
    ["`tick`"],
    ["*alias"],
    ["&anchor"],
  ])("quotes %j so YAML reads back the same text", (name) => {
    expect(parse(`k: ${yamlQuoted(name)}`)).toEqual({ k: name });
  });

  it("puts images without a split in train, and without any split points val at train", async () => {
    const mixed = await collectExport(writeYolo, fixtureSource({ include_images: false }));
    expect([...mixed.files.keys()].filter((p) => p.startsWith("labels/"))).toEqual([
      "labels/train/batch1/street.txt",
      "labels/train/batch1/night.txt",
      "labels/train/empty.txt",
      "labels/train/drafts/raw.txt",
      "labels/val/batch2/street.txt",
    ]);
    const unsplit = fixtureImages.map((i) => ({ ...i, split: null }));
    const out = await collectExport(
      writeYolo,
      memorySource(unsplit, fixtureClasses, { status_filter: "all" }),
    );
    expect(parse(out.files.get("data.yaml")!)).toMatchObject({
      train: "images/train",
      val: "images/train",
    });
    expect(out.files.get("labels/train/empty.txt")).toBe("");
  });

  it("writes normalised, clamped 6-decimal boxes and counts what it skips", async () => {
    const out = await collectExport(writeYolo, fixtureSource());
    // Clipped to x 0..90, y 500..600 in an 800×600 image.
    expect(out.files.get("labels/val/batch2/street.txt")).toBe(
      "0 0.056250 0.916667 0.112500 0.166667\n2 0.425000 0.333333 0.100000 0.333333\n",
    );
    // The polygon with a hole becomes its enclosing box.
    expect(out.files.get("labels/train/batch1/street.txt")!.split("\n")[1]).toBe(
      "1 0.390625 0.312500 0.156250 0.208333",
    );
    expect(out.summary.skipped).toEqual({
      "keypoint: not expressible in yolo": 3,
      "polyline: not expressible in yolo": 1,
    });
  });
});

describe("yolo label paths", () => {
  it("pairs labels the way Ultralytics' img2label_paths does, even under a folder named images", () => {
    expect(labelPath("images/train/batch1/street.jpg")).toBe("labels/train/batch1/street.txt");
    expect(labelPath("images/train/images/x.jpg")).toBe("images/train/labels/x.txt");
    expect(labelPath("images/val/images")).toBe("labels/val/images.txt");
  });
});
