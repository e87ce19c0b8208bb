import { describe, expect, it } from "vitest";
import { memoryArchive } from "../archive/memory-archive";
import { expectedAfterExport, readAll } from "../export-expectation";
import { collectedFiles, collectExport } from "../test/collect";
import { fixtureClasses, fixtureImages, fixtureSource } from "../test/fixture";
import { readPictograph } from "./read";
import { writePictograph } from "./write";

async function exported(options = {}) {
  return collectedFiles(await collectExport(writePictograph, fixtureSource(options)));
}

async function readFiles(files: Record<string, string | Uint8Array>, maxJsonBytes?: number) {
  const result = await readPictograph(memoryArchive(files), { maxJsonBytes });
  const images = await readAll(result);
  return { classes: result.classes, images, problems: result.problems };
}

describe("pictograph reader", () => {
  it("gives back exactly the classes and images written", async () => {
    const { classes, images, problems } = await readFiles(await exported({ include_images: true }));
    const expected = expectedAfterExport(fixtureImages, fixtureClasses, {
      class_filter: null,
      status_filter: "all",
    });
    expect(problems).toEqual([]);
    expect(classes).toEqual(expected.classes);
    expect(images.map((i) => i.image)).toEqual(expected.images);
    expect(images.map((i) => i.file)).toEqual(expected.images.map((i) => `images/${i.path}`));
  });

  it("reads an export without images with file null", async () => {
    const { images } = await readFiles(
      await exported({ include_images: false, class_filter: ["car"] }),
    );
    expect(images.every((i) => i.file === null)).toBe(true);
    expect(images.flatMap((i) => i.image.annotations.map((a) => a.class_name))).toEqual([
      "car",
      "car",
      "car",
      "car",
    ]);
  });

  it("reports a missing manifest instead of guessing", async () => {
    const files = await exported();
    delete files["manifest.json"];
    const { images, problems } = await readFiles(files);
    expect(images).toEqual([]);
    expect(problems).toEqual([
      {
        file: "manifest.json",
        line: null,
        element: null,
        reason: "not a pictograph export: manifest.json is missing",
      },
    ]);
  });

  it("refuses another schema version", async () => {
    const files = await exported();
    files["manifest.json"] = JSON.stringify({ schema: "pictograph/2", classes: [] });
    const { problems } = await readFiles(files);
    expect(problems[0]).toMatchObject({ file: "manifest.json", element: "schema" });
  });

  it("reports a bad annotation by its position and keeps the rest of the image", async () => {
    const files = await exported();
    const doc = JSON.parse(files["annotations/batch1/street.jpg.json"]!);
    doc.annotations[0].bbox.w = -5;
    doc.annotations[2].name = "truck";
    files["annotations/batch1/street.jpg.json"] = JSON.stringify(doc);
    const { images, problems } = await readFiles(files);
    expect(problems.map((p) => [p.file, p.element])).toEqual([
      ["annotations/batch1/street.jpg.json", "annotations[0]"],
      ["annotations/batch1/street.jpg.json", "annotations[2]"],
    ]);
    expect(problems[0]!.reason).toContain("box width must be greater than 0");
    expect(problems[1]!.reason).toContain('"truck" is not in the manifest');
    expect(images[0]!.image.annotations).toHaveLength(1);
  });

  it("turns hostile files into problems, never exceptions", async () => {
    const files: Record<string, string | Uint8Array> = await exported();
    files["annotations/batch1/street.jpg.json"] = "[".repeat(100_000);
    files["annotations/batch2/street.jpg.json"] =
      '{"width": 1e999, "height": "480", "annotations": {}}';
    files["annotations/empty.png.json"] = new Uint8Array([0xff, 0xfe, 0x00]);
    files["annotations/drafts/raw.png.json"] = '{"width": 10,';
    const { images, problems } = await readFiles(files);
    expect(images.map((i) => i.image.path)).toEqual(["batch1/night.jpg"]);
    expect(problems.map((p) => p.reason)).toEqual([
      "JSON nested deeper than 64 levels",
      "annotations must be a list",
      expect.stringContaining("image not imported"),
      "file is not valid UTF-8 text",
      expect.stringContaining("not valid JSON"),
      "manifest counts 5 images, the archive holds 1",
    ]);
  });

  it("refuses a JSON file over the size limit", async () => {
    const files = await exported();
    const { problems } = await readFiles(files, 100);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.reason).toContain("100");
  });
});
