// client.exports against a real server: the contract's example and every promise of
// DESIGN.md "The contract" a user relies on.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { solidPng } from "@pictograph/formats/testing";
import { testClient, testServer, uniqueName } from "../../test/server";
import {
  ConflictError,
  ExportFailedError,
  NotFoundError,
  PollTimeoutError,
  ValidationError,
} from "../core/errors";
import type { Export } from "./exports";

const client = testClient();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pictograph-sdk-exports-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("exports.create", () => {
  it("runs the contract's example: waits and resolves with the completed export", async () => {
    const seen: string[] = [];
    const exp = await client.exports.create("demo", "for-yolov8", {
      format: "yolo",
      include_images: true,
      class_filter: ["car", "person"],
      status_filter: "complete",
      wait: true,
      poll_interval: 0.25,
      timeout: 60,
      on_progress: (current) => seen.push(current.status),
    });
    expect(exp).toMatchObject({
      dataset_name: "demo",
      name: "for-yolov8",
      format: "yolo",
      include_images: true,
      class_filter: ["car", "person"],
      status_filter: "complete",
      status: "completed",
      progress: 100,
      error_message: null,
    });
    const demo = await client.datasets.get("demo");
    expect(exp.image_count).toBe(demo.image_counts.complete);
    expect(exp.annotation_count).toBeGreaterThan(0);
    expect(exp.size_bytes).toBeGreaterThan(0);
    expect(exp.download_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/files\/exports\//);
    expect(seen[0]).toBe("pending");
    expect(seen.at(-1)).toBe("completed");
  });

  it("uses the contract's defaults: pictograph, with images, every class, complete images", async () => {
    const exp = await client.exports.create("demo", uniqueName("defaults"), { wait: false });
    expect(exp).toMatchObject({
      format: "pictograph",
      include_images: true,
      class_filter: null,
      status_filter: "complete",
    });
    expect(["pending", "processing"]).toContain(exp.status);
    expect(exp.download_url).toBeNull();
    const done = await client.exports.waitForCompletion("demo", exp.name, { poll_interval: 0.25 });
    expect(done.status).toBe("completed");
    expect(done.id).toBe(exp.id);
  });

  it("throws PollTimeoutError (408) with the export and the time waited; the export keeps building", async () => {
    const name = uniqueName("slow");
    const error = await client.exports
      .create("demo", name, { format: "coco", timeout: 0, poll_interval: 0.1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PollTimeoutError);
    const timeout = error as PollTimeoutError;
    expect(timeout.status).toBe(408);
    expect(timeout.waitedSeconds).toBeGreaterThanOrEqual(0);
    expect(timeout.export).toMatchObject({ name, dataset_name: "demo", format: "coco" });
    expect(timeout.message).toMatch(
      new RegExp(`export "${name}" of dataset "demo" is still (pending|processing)`),
    );
    const done = await client.exports.waitForCompletion("demo", name, {
      poll_interval: 0.25,
      timeout: 60,
    });
    expect(done.status).toBe("completed");
  });

  it("refuses a taken name with ConflictError (409)", async () => {
    const name = uniqueName("taken");
    await client.exports.create("demo", name, { format: "csv", wait: false });
    const error = await client.exports
      .create("demo", name, { format: "csv" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      status: 409,
      message: `export "${name}" already exists in this dataset`,
    });
  });

  it("refuses an unknown format, status filter or class with ValidationError (422)", async () => {
    const format = await client.exports
      .create("demo", uniqueName("bad"), { format: "tfrecord" as never })
      .catch((e: unknown) => e);
    expect(format).toBeInstanceOf(ValidationError);
    expect((format as ValidationError).issues).toEqual([
      {
        path: "format",
        message: "format must be one of: pictograph, coco, yolo, cvat, pascal_voc, labelme, csv",
      },
    ]);
    const status = await client.exports
      .create("demo", uniqueName("bad"), { status_filter: "done" as never })
      .catch((e: unknown) => e);
    expect((status as ValidationError).issues.map((i) => i.path)).toEqual(["status_filter"]);
    const cls = await client.exports
      .create("demo", uniqueName("bad"), { class_filter: ["truck"] })
      .catch((e: unknown) => e);
    expect(cls).toBeInstanceOf(ValidationError);
    expect((cls as ValidationError).status).toBe(422);
    expect((cls as ValidationError).message).toMatch(
      /class_filter names "truck", not a class of dataset "demo"/,
    );
  });

  it("throws NotFoundError (404) for a dataset that does not exist", async () => {
    const error = await client.exports.create("no-such-dataset", "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, message: 'dataset "no-such-dataset" not found' });
  });

  it("throws ExportFailedError carrying the failed export when the build fails", async () => {
    // A dataset whose only image file has vanished from storage cannot be exported with images.
    const datasetName = uniqueName("broken");
    const dataset = await client.datasets.create(datasetName, {
      classes: [{ name: "car", color: "#ff0000" }],
    });
    await client.images.upload(datasetName, "a.png", solidPng(4, 3, [255, 0, 0]), {
      status: "complete",
    });
    const folder = join(testServer().dataDir, "storage", "images", dataset.id);
    for (const file of await readdir(folder)) await rm(join(folder, file));

    const error = await client.exports
      .create(datasetName, "with-images", { poll_interval: 0.25, timeout: 60 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExportFailedError);
    const failed = (error as ExportFailedError).export;
    expect(failed).toMatchObject({ status: "failed", name: "with-images", download_url: null });
    expect(failed.error_message).toMatch(/a\.png/);
    expect((error as Error).message).toBe(
      `export "with-images" of dataset "${datasetName}" failed: ${failed.error_message}`,
    );
    await expect(
      client.exports.waitForCompletion(datasetName, "with-images"),
    ).rejects.toBeInstanceOf(ExportFailedError);

    // A failed export has no ZIP: downloading it is a 409, and nothing is written.
    const output = join(dir, "failed.zip");
    const download = await client.exports
      .download(datasetName, "with-images", { output_path: output })
      .catch((e: unknown) => e);
    expect(download).toBeInstanceOf(ConflictError);
    expect((download as Error).message).toBe(
      'export "with-images" is failed; it can be downloaded once completed',
    );
    expect(existsSync(output) || existsSync(`${output}.part`)).toBe(false);
  });
});

describe("exports.list and iter", () => {
  it("iter walks every page and sees what list sees", async () => {
    const dataset = uniqueName("paging");
    await client.datasets.create(dataset, { classes: [{ name: "car", color: "#00ff00" }] });
    const names = ["a", "b", "c", "d", "e"];
    for (const name of names)
      await client.exports.create(dataset, name, { format: "csv", wait: false });

    const iterated: Export[] = [];
    for await (const exp of client.exports.iter({ dataset, page_size: 2 })) iterated.push(exp);
    expect(iterated.map((e) => e.name).sort()).toEqual(names);
    expect(iterated.every((e) => e.dataset_name === dataset)).toBe(true);

    const first = await client.exports.list({ dataset, limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.next_cursor).not.toBeNull();
    const second = await client.exports.list({ dataset, limit: 2, cursor: first.next_cursor });
    expect(second.data.map((e) => e.name)).toEqual(iterated.slice(2, 4).map((e) => e.name));
  });
});

describe("exports.download", () => {
  let exp: Export;

  beforeAll(async () => {
    exp = await client.exports.create("demo", uniqueName("download"), {
      format: "pictograph",
      status_filter: "all",
      poll_interval: 0.25,
    });
  });

  it("streams the ZIP to output_path and leaves no .part behind", async () => {
    const output = join(dir, "demo.zip");
    const progress: number[] = [];
    const file = await client.exports.download("demo", exp.name, {
      output_path: output,
      on_progress: (p) => progress.push(p.bytes),
    });
    const bytes = await readFile(output);
    expect(file).toEqual({ path: output, size_bytes: exp.size_bytes });
    expect(bytes.byteLength).toBe(exp.size_bytes);
    expect(sha256(bytes)).toBe(exp.sha256);
    expect(existsSync(`${output}.part`)).toBe(false);
    expect(progress.at(-1)).toBe(exp.size_bytes);
  });

  it("without output_path resolves with the byte stream", async () => {
    const stream = await client.exports.download("demo", exp.name);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(sha256(Buffer.concat(chunks))).toBe(exp.sha256);
  });

  it("gives a fresh signed link on every call", async () => {
    const first = await client.exports.downloadLink("demo", exp.name);
    expect(first.size_bytes).toBe(exp.size_bytes);
    expect(Date.parse(first.expires_at) - Date.now()).toBeGreaterThan(59 * 60 * 1000);
    const response = await fetch(first.url);
    expect(response.status).toBe(200);
    expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(exp.sha256);
  });
});

describe("exports.get and delete", () => {
  it("get has the download URL once completed; delete removes the export and its ZIP", async () => {
    const exp = await client.exports.create("demo", uniqueName("gone"), {
      format: "labelme",
      include_images: false,
      poll_interval: 0.25,
    });
    const got = await client.exports.get("demo", exp.name);
    expect(got.download_url).not.toBeNull();
    await client.exports.delete("demo", exp.name);
    await expect(client.exports.get("demo", exp.name)).rejects.toBeInstanceOf(NotFoundError);
    // The signed URL handed out before no longer serves the ZIP.
    expect((await fetch(got.download_url!)).status).toBe(404);
    await expect(client.exports.delete("demo", exp.name)).rejects.toBeInstanceOf(NotFoundError);
  });
});
