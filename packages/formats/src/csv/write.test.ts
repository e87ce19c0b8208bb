import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { goldenDifferences } from "../golden-files";
import { collectExport } from "../test/collect";
import { fixtureClasses, fixtureSource, memorySource } from "../test/fixture";
import { csvNumber, writeCsv } from "./write";

const golden = (variant: string) => join(import.meta.dirname, "golden", variant);

describe("csv writer", () => {
  it("matches the golden files for every status with images", async () => {
    const out = await collectExport(writeCsv, fixtureSource({ include_images: true }));
    expect(goldenDifferences(golden("all-with-images"), out)).toEqual([]);
  });

  it("matches the golden files for class_filter [car] without images", async () => {
    const out = await collectExport(
      writeCsv,
      fixtureSource({ include_images: false, class_filter: ["car"] }),
    );
    expect(goldenDifferences(golden("car-only"), out)).toEqual([]);
  });

  it("formats coordinates with at most 2 decimals and no trailing zeros", () => {
    expect([12, 12.5, 12.25, 12.254, 12.255001, 0.1 + 0.2, 1e-9, 640].map(csvNumber)).toEqual([
      "12",
      "12.5",
      "12.25",
      "12.25",
      "12.26",
      "0.3",
      "0",
      "640",
    ]);
  });

  it("quotes hostile class names and paths per RFC 4180", async () => {
    const image = {
      path: 'odd "dir",x/a,b.jpg',
      width: 10,
      height: 10,
      status: "complete" as const,
      split: null,
      tags: [],
      annotations: [
        {
          type: "bbox" as const,
          class_name: 'a&b <c>, "d"',
          bbox: { x: 1, y: 1, w: 2, h: 2 },
          attributes: {},
          confidence: null,
          occluded: false,
          z_order: 0,
        },
      ],
    };
    const out = await collectExport(
      writeCsv,
      memorySource([image], fixtureClasses, { status_filter: "all" }),
    );
    expect(out.files.get("annotations.csv")).toBe(
      'filename,width,height,class,xmin,ymin,xmax,ymax\n"odd ""dir"",x/a,b.jpg",10,10,"a&b <c>, ""d""",1,1,3,3\n',
    );
  });

  it("counts images without a box in README.txt", async () => {
    const out = await collectExport(writeCsv, fixtureSource({ class_filter: ["road"] }));
    expect(out.files.get("annotations.csv")).toBe(
      "filename,width,height,class,xmin,ymin,xmax,ymax\n",
    );
    expect(out.files.get("README.txt")).toContain("5 of 5 images have no box and so no row");
    expect(out.summary.skipped).toMatchObject({
      "polyline: not expressible in csv (boxes only)": 1,
    });
  });
});
