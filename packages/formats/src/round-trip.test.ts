// read(write(d)) for pictograph, coco, yolo and csv: pictograph gives d back exactly (after
// D1/D4), the others give d restricted to what they hold (README.md "What survives").
import type { ExportOptions } from "@pictograph/schema";
import { describe, expect, it } from "vitest";
import { importDifferences, roundTrip, roundTripFormats } from "./export-expectation";
import { fixtureClasses, fixtureImages } from "./test/fixture";

const variants: Array<[string, Partial<ExportOptions>]> = [
  ["every status with images", { status_filter: "all", include_images: true }],
  [
    "class_filter [car] without images",
    { status_filter: "all", include_images: false, class_filter: ["car"] },
  ],
  [
    "complete only, classes road and person",
    { status_filter: "complete", include_images: true, class_filter: ["road", "person"] },
  ],
];

describe.each(Object.keys(roundTripFormats) as Array<keyof typeof roundTripFormats>)(
  "%s round trip",
  (format) => {
    it.each(variants)("gives the fixture back, %s", async (_name, options) => {
      const { result, read, expected } = await roundTrip(
        format,
        fixtureImages,
        fixtureClasses,
        options,
      );
      expect(result.problems.map((p) => p.reason)).toEqual(expected.problems);
      expect(result.classes).toEqual(expected.classes);
      expect(
        importDifferences(
          read.map((r) => r.image),
          expected,
        ),
      ).toEqual([]);
      if (options.include_images) expect(read.every((r) => r.file !== null)).toBe(true);
    });
  },
);

describe("round-trip expectations", () => {
  it("would notice a lost annotation or a moved box", async () => {
    const { read, expected } = await roundTrip("yolo", fixtureImages, fixtureClasses, {
      status_filter: "all",
    });
    const images = read.map((r) => r.image);
    const street = images.find((i) => i.path === "batch1/street.jpg")!;
    const [first, ...rest] = street.annotations;
    if (first?.type !== "bbox") throw new Error("expected a box first");
    street.annotations = [
      { ...first, bbox: { ...first.bbox, x: first.bbox.x + 0.01 } },
      ...rest.slice(1),
    ];
    expect(importDifferences(images, expected)).toHaveLength(3);
  });
});
