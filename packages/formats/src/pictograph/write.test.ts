import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UnknownClassError } from "../core/class-list";
import { goldenDifferences } from "../golden-files";
import { collectExport } from "../test/collect";
import { fixtureSource } from "../test/fixture";
import { writePictograph } from "./write";

const golden = (variant: string) => join(import.meta.dirname, "golden", variant);

describe("pictograph writer", () => {
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
