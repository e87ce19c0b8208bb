import { join } from "node:path";
import { DatasetImageSchema } from "@pictograph/schema";
import { describe, expect, it } from "vitest";
import { UnknownClassError } from "../core/class-list";
import { goldenDifferences } from "../golden-files";
import { collectExport } from "../test/collect";
import { fixtureClasses, fixtureSource, memorySource } from "../test/fixture";
import { writeCvat } from "./write";

const golden = (variant: string) => join(import.meta.dirname, "golden", variant);

describe("cvat writer", () => {
  it("matches the golden files for every status with images", async () => {
    const out = await collectExport(writeCvat, fixtureSource({ include_images: true }));
    expect(goldenDifferences(golden("all-with-images"), out)).toEqual([]);
  });

  it("matches the golden files for class_filter [car] without images", async () => {
    const out = await collectExport(
      writeCvat,
      fixtureSource({ include_images: false, class_filter: ["car"] }),
    );
    expect(goldenDifferences(golden("car-only"), out)).toEqual([]);
  });

  it("writes every selected image as <image> with a 0-based id and its path as name, empty ones childless", async () => {
    const out = await collectExport(
      writeCvat,
      fixtureSource({ include_images: false, class_filter: ["road"] }),
    );
    const xml = out.files.get("annotations.xml")!;
    const images = [...xml.matchAll(/<image id="(\d+)" name="([^"]+)"[^>]*?(\/?)>/g)].map((m) => [
      m[1],
      m[2],
      m[3],
    ]);
    expect(images).toEqual([
      ["0", "batch1/street.jpg", "/"],
      ["1", "batch2/street.jpg", ""],
      ["2", "empty.png", "/"],
      ["3", "batch1/night.jpg", "/"],
      ["4", "drafts/raw.png", "/"],
    ]);
    expect(out.summary).toMatchObject({ images: 5, annotations: 1, imageMembers: 0 });
  });

  it("streams annotations.xml in pieces while the images are read, and needs it drained first", async () => {
    const writer = writeCvat(fixtureSource());
    const first = await writer.next();
    const entry = first.value as { path: string; body: unknown };
    expect(entry.path).toBe("annotations.xml");
    expect(typeof entry.body).not.toBe("string");
    await expect(writer.next()).rejects.toThrow(/must be read to the end/);
  });

  it("lists every exported label in <meta>, with colors and CVAT attribute specs, even unused ones", async () => {
    const out = await collectExport(writeCvat, fixtureSource({ class_filter: ["unused", "car"] }));
    const xml = out.files.get("annotations.xml")!;
    expect(
      [...xml.matchAll(/<label>\s*<name>([^<]*)<\/name>\s*<color>([^<]*)</g)].map((m) => [
        m[1],
        m[2],
      ]),
    ).toEqual([
      ["car", "#e6194b"],
      ["unused", "#f58231"],
    ]);
    expect(xml).toContain(
      "<input_type>number</input_type>\n              <default_value>0</default_value>\n              <values>0\n300\n1</values>",
    );
    expect(xml).toContain(
      "<input_type>select</input_type>\n              <default_value>red</default_value>\n              <values>red\nblue</values>",
    );
  });

  it("drops boxes thinner than CVAT's 2 decimals, and a keypoint's own 'joint' attribute, counting both", async () => {
    const image = DatasetImageSchema.parse({
      path: "x.jpg",
      width: 10,
      height: 10,
      annotations: [
        { type: "bbox", class_name: "car", bbox: { x: 1, y: 1, w: 0.004, h: 5 } },
        {
          type: "keypoint",
          class_name: "person",
          keypoint: { x: 1, y: 1 },
          joint: "head",
          attributes: { joint: "x" },
        },
      ],
    });
    const out = await collectExport(
      writeCvat,
      memorySource([image], fixtureClasses, { status_filter: "all" }),
    );
    expect(out.summary.skipped).toEqual({
      "bbox: thinner than 0.01 px at cvat's 2 decimals": 1,
      'attribute "joint" on a keypoint: reserved for the joint name in cvat': 1,
    });
    expect(out.summary.annotations).toBe(1);
    expect(out.files.get("annotations.xml")).toContain(
      '<attribute name="joint">head</attribute>\n    </points>',
    );
  });

  it("removes XML-illegal control characters from attribute values and says how many", async () => {
    const image = DatasetImageSchema.parse({
      path: "x.jpg",
      width: 10,
      height: 10,
      annotations: [
        {
          type: "bbox",
          class_name: "car",
          bbox: { x: 1, y: 1, w: 2, h: 2 },
          attributes: { plate: "A\u0000B\u0007" },
        },
      ],
    });
    const out = await collectExport(
      writeCvat,
      memorySource([image], fixtureClasses, { status_filter: "all" }),
    );
    expect(out.files.get("annotations.xml")).toContain('<attribute name="plate">AB</attribute>');
    expect(out.summary.skipped).toEqual({ "text: characters XML 1.0 cannot hold were removed": 2 });
    expect(out.files.get("README.txt")).toContain(
      "2 x text: characters XML 1.0 cannot hold were removed",
    );
  });

  it("refuses a class_filter naming a class the dataset does not have", async () => {
    await expect(
      collectExport(writeCvat, fixtureSource({ class_filter: ["truck"] })),
    ).rejects.toBeInstanceOf(UnknownClassError);
  });
});
