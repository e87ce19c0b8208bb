// readExport on real exports from the server: what it yields is what the API says the
// dataset holds, whether read from a file or straight from the download stream.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClient, uniqueName } from "../../test/server";
import { PictographError } from "../core/errors";
import type { Image } from "../resources/images";
import {
  readExport,
  type ExportManifest,
  type ExportRecord,
  type ExportedImage,
} from "./read-export";

const client = testClient();
let dir: string;
let images: Map<string, Image>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pictograph-read-export-"));
  images = new Map();
  for await (const image of client.images.iter("demo", { page_size: 200 }))
    images.set(image.path, image);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function collect(records: AsyncIterable<ExportRecord>) {
  const read = {
    images: [] as ExportedImage[],
    files: new Map<string, Buffer>(),
    manifest: null as ExportManifest | null,
  };
  for await (const record of records) {
    if (record.type === "image") read.images.push(record.image);
    else if (record.type === "image_file") read.files.set(record.path, record.data);
    else read.manifest = record.manifest;
  }
  return read;
}

describe("readExport", () => {
  it("reads a downloaded export: every image, annotation and file the API knows of", async () => {
    const exp = await client.exports.create("demo", uniqueName("read"), {
      status_filter: "all",
      poll_interval: 0.25,
    });
    const path = join(dir, "demo.zip");
    await client.exports.download("demo", exp.name, { output_path: path });
    const read = await collect(readExport(path, { image_files: true }));

    expect(read.manifest).toMatchObject({
      schema: "pictograph/1",
      dataset: { name: "demo" },
      export: {
        format: "pictograph",
        include_images: true,
        class_filter: null,
        status_filter: "all",
      },
      counts: {
        images: exp.image_count,
        annotations: exp.annotation_count,
        image_files: exp.image_count,
      },
    });
    expect(read.manifest!.classes.map((c) => c.name)).toEqual([
      "car",
      "person",
      "building",
      "lane",
      "traffic light",
    ]);
    expect(read.images.map((i) => i.path).sort()).toEqual([...images.keys()].sort());
    for (const image of read.images) {
      const known = images.get(image.path)!;
      expect(image).toMatchObject({
        width: known.width,
        height: known.height,
        status: known.status,
        split: known.split,
      });
      expect(image.annotations).toHaveLength(known.annotation_count);
      const file = read.files.get(image.path)!;
      expect(createHash("sha256").update(file).digest("hex"), image.path).toBe(known.sha256);
    }
    const total = read.images.reduce((sum, image) => sum + image.annotations.length, 0);
    expect(total).toBe(exp.annotation_count);
  });

  it("reads the download stream as it arrives, with the annotations the API returns", async () => {
    const exp = await client.exports.create("demo", uniqueName("stream"), {
      include_images: false,
      class_filter: ["building", "person"],
      status_filter: "complete",
      poll_interval: 0.25,
    });
    const read = await collect(readExport(await client.exports.download("demo", exp.name)));
    expect(read.files.size).toBe(0);
    expect(read.images).toHaveLength(exp.image_count!);
    const sample = read.images.find((i) => i.annotations.some((a) => a.type === "polygon"))!;
    const fromApi = await client.annotations.get("demo", sample.path);
    const kept = fromApi.annotations.filter(
      (a) => a.class_name === "building" || a.class_name === "person",
    );
    expect(
      sample.annotations.map(({ id: _id, name, ...rest }) => ({ class_name: name, ...rest })),
    ).toEqual(kept);
    expect(sample.annotations.map((a) => a.id)).toEqual(kept.map((_, i) => i + 1));
  });

  it("refuses an export in another format", async () => {
    const exp = await client.exports.create("demo", uniqueName("yolo"), {
      format: "yolo",
      include_images: false,
      poll_interval: 0.25,
    });
    const read = collect(readExport(await client.exports.download("demo", exp.name)));
    await expect(read).rejects.toThrow(
      new PictographError("not a pictograph export: manifest.json is missing"),
    );
  });
});
