import { join } from "node:path";
import { ClassListSchema, DatasetImageSchema } from "@pictograph/schema";
import { describe, expect, it } from "vitest";
import { goldenDifferences } from "../golden-files";
import { collectExport } from "../test/collect";
import { fixtureClasses, fixtureSource, memorySource } from "../test/fixture";
import { vocBox, writePascalVoc } from "./write";

const golden = (variant: string) => join(import.meta.dirname, "golden", variant);

describe("pascal_voc writer", () => {
  it("matches the golden files for every status with images", async () => {
    const out = await collectExport(writePascalVoc, fixtureSource({ include_images: true }));
    expect(goldenDifferences(golden("all-with-images"), out)).toEqual([]);
  });

  it("matches the golden files for class_filter [car] without images", async () => {
    const out = await collectExport(
      writePascalVoc,
      fixtureSource({ include_images: false, class_filter: ["car"] }),
    );
    expect(goldenDifferences(golden("car-only"), out)).toEqual([]);
  });

  it("uses 1-based devkit pixels: border-touching and clipped boxes end on the last pixel", () => {
    expect(vocBox({ x: 540, y: 380, w: 100, h: 100 }, 640, 480)).toEqual({
      xmin: 541,
      ymin: 381,
      xmax: 640,
      ymax: 480,
    });
    expect(vocBox({ x: 0, y: 0, w: 100, h: 50 }, 100, 50)).toEqual({
      xmin: 1,
      ymin: 1,
      xmax: 100,
      ymax: 50,
    });
    expect(vocBox({ x: 1.25, y: 2.5, w: 30, h: 40 }, 640, 480)).toEqual({
      xmin: 2,
      ymin: 4,
      xmax: 31,
      ymax: 43,
    });
    // Thinner than a pixel: still covers the pixel it starts in, inside the image.
    expect(vocBox({ x: 99.8, y: 10.2, w: 0.2, h: 0.1 }, 100, 50)).toEqual({
      xmin: 100,
      ymin: 11,
      xmax: 100,
      ymax: 11,
    });
  });

  it("mirrors folders in Annotations, JPEGImages and the ids of ImageSets, keeping each extension", async () => {
    const out = await collectExport(writePascalVoc, fixtureSource({ include_images: true }));
    expect([...out.images.keys()]).toEqual([
      "JPEGImages/batch1/street.jpg",
      "JPEGImages/batch2/street.jpg",
      "JPEGImages/empty.png",
      "JPEGImages/batch1/night.jpg",
      "JPEGImages/drafts/raw.png",
    ]);
    expect(out.files.get("ImageSets/Main/train.txt")).toBe("batch1/street\nbatch1/night\n");
    expect(out.files.get("ImageSets/Main/default.txt")).toBe("empty\ndrafts/raw\n");
    expect(out.files.get("Annotations/empty.xml")).not.toContain("<object>");
  });

  it("writes <name> first in <object> and width before height, so positional readers work", async () => {
    const out = await collectExport(writePascalVoc, fixtureSource());
    const xml = out.files.get("Annotations/batch1/street.xml")!;
    expect(xml).toMatch(/<object>\n {4}<name>car<\/name>\n {4}<pose>/);
    expect(xml).toMatch(
      /<size>\n {4}<width>640<\/width>\n {4}<height>480<\/height>\n {4}<depth>3<\/depth>/,
    );
  });

  it("writes flag attributes into truncated/difficult/pose and the rest under <attributes>", async () => {
    const image = DatasetImageSchema.parse({
      path: "a.jpg",
      width: 10,
      height: 10,
      annotations: [
        {
          type: "bbox",
          class_name: "car",
          bbox: { x: 1, y: 1, w: 2, h: 2 },
          attributes: { difficult: true, truncated: false, pose: "Left", note: "x<y" },
        },
      ],
    });
    const out = await collectExport(
      writePascalVoc,
      memorySource([image], fixtureClasses, { status_filter: "all" }),
    );
    const xml = out.files.get("Annotations/a.xml")!;
    expect(xml).toContain(
      "<pose>Left</pose>\n    <truncated>0</truncated>\n    <occluded>0</occluded>\n    <difficult>1</difficult>",
    );
    expect(xml).toContain(
      "<attributes>\n      <attribute>\n        <name>note</name>\n        <value>x&lt;y</value>",
    );
    expect(xml).not.toContain("<name>difficult</name>");
  });

  it("writes one default list when there are no images, and names awkward labelmap names in the README", async () => {
    const classes = ClassListSchema.parse([
      { name: "a:b", color: "#010203" },
      { name: "#x", color: "#ffffff" },
    ]);
    const out = await collectExport(
      writePascalVoc,
      memorySource([], classes, { status_filter: "all" }),
    );
    expect(out.files.get("ImageSets/Main/default.txt")).toBe("");
    expect(out.files.get("labelmap.txt")).toBe(
      "# label:color_rgb:parts:actions\na:b:1,2,3::\n#x:255,255,255::\n",
    );
    expect(out.files.get("README.txt")).toContain(
      `class names with ':' or a leading '#' ("a:b", "#x")`,
    );
  });
});
