// read(write(d)) for pictograph, coco, yolo and csv: pictograph gives d back exactly (after
// D1/D4), the others give d restricted to what they hold (README.md "What survives").
import type { ClassDef, DatasetImage, ExportOptions } from "@pictograph/schema";
import { describe, expect, it } from "vitest";
import { memoryArchive } from "./archive/memory-archive";
import { cocoFormat } from "./coco";
import type { FormatModule } from "./core/types";
import { csvFormat } from "./csv";
import { importDifferences, readAll, roundTripExpectations } from "./export-expectation";
import { pngBytes } from "./image-stub";
import { pictographFormat } from "./pictograph";
import { collectExport } from "./test/collect";
import { fixtureClasses, fixtureImages, memorySource } from "./test/fixture";
import { yoloFormat } from "./yolo";

export const roundTripFormats = { pictograph: pictographFormat, coco: cocoFormat, yolo: yoloFormat, csv: csvFormat };

/** Writes, reads back, and returns the reader's result with the expectation for it. */
export async function roundTrip(
  format: keyof typeof roundTripFormats,
  images: DatasetImage[],
  classes: ClassDef[],
  options: Partial<ExportOptions>,
) {
  const module: FormatModule = roundTripFormats[format];
  const source = memorySource(images, classes, options);
  const out = await collectExport(module.write, source);
  const files: Record<string, string | Uint8Array> = Object.fromEntries(out.files);
  const byPath = new Map(images.map((i) => [i.path, i]));
  for (const [member, path] of out.images) files[member] = pngBytes(byPath.get(path)!.width, byPath.get(path)!.height);
  const result = await module.read(memoryArchive(files));
  const read = await readAll(result);
  const expected = roundTripExpectations[format](images, classes, source.options);
  return { result, read, expected };
}

const variants: Array<[string, Partial<ExportOptions>]> = [
  ["every status with images", { status_filter: "all", include_images: true }],
  ["class_filter [car] without images", { status_filter: "all", include_images: false, class_filter: ["car"] }],
  ["complete only, classes road and person", { status_filter: "complete", include_images: true, class_filter: ["road", "person"] }],
];

describe.each(Object.keys(roundTripFormats) as Array<keyof typeof roundTripFormats>)("%s round trip", (format) => {
  it.each(variants)("gives the fixture back, %s", async (_name, options) => {
    const { result, read, expected } = await roundTrip(format, fixtureImages, fixtureClasses, options);
    expect(result.problems.map((p) => p.reason)).toEqual(expected.problems);
    expect(result.classes).toEqual(expected.classes);
    expect(importDifferences(read.map((r) => r.image), expected)).toEqual([]);
    if (options.include_images) expect(read.every((r) => r.file !== null)).toBe(true);
  });
});

describe("round-trip expectations", () => {
  it("would notice a lost annotation or a moved box", async () => {
    const { read, expected } = await roundTrip("yolo", fixtureImages, fixtureClasses, { status_filter: "all" });
    const images = read.map((r) => r.image);
    const street = images.find((i) => i.path === "batch1/street.jpg")!;
    const [first, ...rest] = street.annotations;
    if (first?.type !== "bbox") throw new Error("expected a box first");
    street.annotations = [{ ...first, bbox: { ...first.bbox, x: first.bbox.x + 0.01 } }, ...rest.slice(1)];
    expect(importDifferences(images, expected)).toHaveLength(3);
  });
});
