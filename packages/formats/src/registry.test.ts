import { FORMATS, type DatasetImage } from "@pictograph/schema";
import { describe, expect, it } from "vitest";
import type { ExportSource, ImagePass } from "./core/types";
import { formatModules, getFormat, UnsupportedFormatError } from "./registry";
import { collectExport } from "./test/collect";
import { fixtureImages, fixtureSource } from "./test/fixture";

describe("format registry", () => {
  it("has every format under its own id, with a description", () => {
    for (const id of FORMATS) {
      const module = getFormat(id);
      expect(module.id).toBe(id);
      expect(module.description.length).toBeGreaterThan(20);
    }
  });

  it("refuses an unknown format, listing the known ones", () => {
    expect(() => getFormat("tfrecord")).toThrow(UnsupportedFormatError);
    expect(() => getFormat("tfrecord")).toThrow(
      /use one of pictograph, coco, yolo, cvat, pascal_voc, labelme, csv/,
    );
    expect(() => getFormat("toString")).toThrow(UnsupportedFormatError);
  });

  // Progress is images yielded / (selected images × passes): the declared passes must be true.
  it.each(
    FORMATS.flatMap((id) => [true, false].map((include_images) => [id, include_images] as const)),
  )(
    "%s (include_images %s) walks the images as many times as it declares",
    async (id, include_images) => {
      const source = fixtureSource({ include_images });
      let yielded = 0;
      const counting: ExportSource = {
        ...source,
        async *images(filter?: ImagePass) {
          for await (const image of source.images(filter) as AsyncIterable<DatasetImage>) {
            yielded++;
            yield image;
          }
        },
      };
      await collectExport(formatModules[id].write, counting);
      expect(yielded).toBe(fixtureImages.length * formatModules[id].passes(source.options));
    },
  );
});
