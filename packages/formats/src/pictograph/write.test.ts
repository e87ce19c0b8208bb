import type { Annotation } from "@pictograph/schema";
import fc from "fast-check";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportClasses, UnknownClassError } from "../core/class-list";
import { goldenDifferences } from "../golden-files";
import { collectExport } from "../test/collect";
import { datasetArbitrary } from "../core/random-dataset";
import { annotationSelector } from "../core/select-annotations";
import { fixtureSource, memorySource } from "../test/fixture";
import { writePictograph } from "./write";

const golden = (variant: string) => join(import.meta.dirname, "golden", variant);

/** An annotation with its geometry's keys reversed, as PostgreSQL's jsonb orders a box's. */
function withKeysReversed(a: Annotation): Annotation {
  const reversed = (o: object) => Object.fromEntries(Object.entries(o).reverse());
  switch (a.type) {
    case "bbox":
      return { ...a, bbox: reversed(a.bbox) as typeof a.bbox };
    case "keypoint":
      return { ...a, keypoint: reversed(a.keypoint) as typeof a.keypoint };
    default:
      return a;
  }
}

describe("pictograph writer", () => {
  it("writes each annotation as JSON.stringify would, geometry keys in the schema's order", async () => {
    await fc.assert(
      fc.asyncProperty(datasetArbitrary, async ({ classes, images }) => {
        const stored = images.map((i) => ({
          ...i,
          annotations: i.annotations.map(withKeysReversed),
        }));
        const out = await collectExport(
          writePictograph,
          memorySource(stored, classes, { status_filter: "all" }),
        );
        // What the writer keeps of each image: clipped, degenerate shapes left out.
        const select = annotationSelector(classes, exportClasses(classes, null), {});
        for (const image of images) {
          const lines = out.files.get(`annotations/${image.path}.json`)!.split("\n");
          const written = lines.filter((line) => line.startsWith("    {")).map((l) => l.trim());
          const kept = select(image);
          const expected = kept.map((a, i) => {
            const { class_name: name, type, confidence, attributes, occluded, z_order } = a;
            const geometry =
              a.type === "bbox"
                ? { bbox: { x: a.bbox.x, y: a.bbox.y, w: a.bbox.w, h: a.bbox.h } }
                : a.type === "polygon"
                  ? { polygon: a.polygon }
                  : a.type === "polyline"
                    ? { polyline: a.polyline }
                    : { keypoint: a.keypoint, instance_id: a.instance_id, joint: a.joint };
            const entry = {
              id: i + 1,
              name,
              type,
              ...geometry,
              confidence,
              attributes,
              occluded,
              z_order,
            };
            return JSON.stringify(entry) + (i < kept.length - 1 ? "," : "");
          });
          expect(written).toEqual(expected);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("matches the golden files for every status with images", async () => {
    const out = await collectExport(writePictograph, fixtureSource({ include_images: true }));
    expect(goldenDifferences(golden("all-with-images"), out)).toEqual([]);
  });

  it("matches the golden files for class_filter [car] without images", async () => {
    const out = await collectExport(
      writePictograph,
      fixtureSource({ include_images: false, class_filter: ["car"] }),
    );
    expect(goldenDifferences(golden("car-only"), out)).toEqual([]);
  });

  it("writes every selected image, even one left empty by the class filter", async () => {
    const out = await collectExport(
      writePictograph,
      fixtureSource({ include_images: false, class_filter: ["road"] }),
    );
    const night = JSON.parse(out.files.get("annotations/batch1/night.jpg.json")!);
    expect(night).toMatchObject({ path: "batch1/night.jpg", annotation_count: 0, annotations: [] });
    expect(out.summary.images).toBe(5);
    expect(out.images.size).toBe(0);
  });

  it("lists only the filtered classes in the manifest, in dataset order", async () => {
    const out = await collectExport(
      writePictograph,
      fixtureSource({ class_filter: ["road", "car"] }),
    );
    const manifest = JSON.parse(out.files.get("manifest.json")!);
    expect(manifest.classes.map((c: { name: string }) => c.name)).toEqual(["car", "road"]);
    expect(manifest.counts.skipped["class not in class_filter"]).toBe(6);
  });

  it("exports only images whose status passes the status filter", async () => {
    const out = await collectExport(writePictograph, fixtureSource({ status_filter: "complete" }));
    expect([...out.files.keys()].filter((p) => p.startsWith("annotations/")).sort()).toEqual([
      "annotations/batch1/street.jpg.json",
      "annotations/batch2/street.jpg.json",
      "annotations/empty.png.json",
    ]);
  });

  it("refuses a class_filter naming a class the dataset does not have", async () => {
    await expect(
      collectExport(writePictograph, fixtureSource({ class_filter: ["truck"] })),
    ).rejects.toBeInstanceOf(UnknownClassError);
  });
});
