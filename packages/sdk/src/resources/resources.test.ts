// The resources beyond exports, as a user goes through them against a real server: a
// dataset with classes, images uploaded from a path, a buffer and a stream, annotations,
// an import, API keys and the roles they carry.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { solidPng } from "@pictograph/formats/testing";
import { testClient, testServer, uniqueName } from "../../test/server";
import { Client } from "../client";
import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  ValidationError,
} from "../core/errors";

const client = testClient();
let dir: string;
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pictograph-sdk-resources-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("datasets and classes", () => {
  it("creates, lists, renames and deletes a dataset", async () => {
    const name = uniqueName("ds");
    const created = await client.datasets.create(name, {
      description: "street scenes",
      classes: [
        { name: "car", color: "#FF0000" },
        { name: "traffic light", color: "#00ff00" },
      ],
    });
    expect(created).toMatchObject({
      name,
      description: "street scenes",
      image_counts: { total: 0 },
    });
    expect(await client.classes.list(name)).toEqual([
      { name: "car", color: "#ff0000", attributes: [], keypoints: null, position: 0 },
      { name: "traffic light", color: "#00ff00", attributes: [], keypoints: null, position: 1 },
    ]);

    const all: string[] = [];
    for await (const dataset of client.datasets.iter({ page_size: 1 })) all.push(dataset.name);
    expect(all).toContain(name);
    expect(all).toContain("demo");

    const renamed = await client.datasets.update(name, {
      name: `${name}-2`,
      description: "renamed",
    });
    expect(renamed).toMatchObject({ name: `${name}-2`, description: "renamed" });
    await expect(client.datasets.get(name)).rejects.toBeInstanceOf(NotFoundError);
    await client.datasets.delete(`${name}-2`);
    await expect(client.datasets.get(`${name}-2`)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("replaces the class list, and refuses a bad name with the field that is wrong", async () => {
    const name = uniqueName("classes");
    await client.datasets.create(name);
    const classes = await client.classes.replace(name, [
      { name: "person", color: "#0000ff", keypoints: ["head", "left_hand"] },
      {
        name: "car",
        color: "#ff0000",
        attributes: [{ kind: "select", name: "paint", options: ["red", "blue"] }],
      },
    ]);
    expect(classes.map((c) => [c.name, c.position])).toEqual([
      ["person", 0],
      ["car", 1],
    ]);
    expect(classes[1]!.attributes).toEqual([
      { kind: "select", name: "paint", options: ["red", "blue"], default: null },
    ]);
    const error = await client.datasets.create("no spaces allowed").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toBe("name");
  });
});

describe("images and annotations", () => {
  const dataset = uniqueName("img");
  const red = solidPng(8, 6, [255, 0, 0]);
  const green = solidPng(10, 4, [0, 255, 0]);
  const blue = solidPng(3, 3, [0, 0, 255]);

  beforeAll(async () => {
    await client.datasets.create(dataset, { classes: [{ name: "car", color: "#ff0000" }] });
  });

  it("uploads from a file path, a buffer and a stream, measured by the server", async () => {
    const file = join(dir, "red.png");
    await writeFile(file, red);
    const fromPath = await client.images.upload(dataset, "a/red.png", file, {
      status: "complete",
      split: "train",
    });
    expect(fromPath).toMatchObject({
      path: "a/red.png",
      width: 8,
      height: 6,
      status: "complete",
      split: "train",
    });
    expect(fromPath.sha256).toBe(sha256(red));

    const fromBuffer = await client.images.upload(dataset, "b/green image.png", green);
    expect(fromBuffer).toMatchObject({
      width: 10,
      height: 4,
      status: "new",
      split: null,
      mime: "image/png",
    });

    const fromStream = await client.images.upload(
      dataset,
      "c/blue.png",
      Readable.from([blue.subarray(0, 10), blue.subarray(10)]),
    );
    expect(fromStream.sha256).toBe(sha256(blue));
    const fromFileStream = await client.images.upload(
      dataset,
      "c/red-again.png",
      createReadStream(file),
    );
    expect(fromFileStream.size_bytes).toBe(red.byteLength);
  });

  it("replaces the file at an existing path", async () => {
    const replaced = await client.images.upload(dataset, "a/red.png", blue);
    expect(replaced).toMatchObject({
      width: 3,
      height: 3,
      sha256: sha256(blue),
      status: "complete",
    });
    await client.images.upload(dataset, "a/red.png", red);
  });

  it("refuses a file that is not an image, and a path that does not exist on disk", async () => {
    const error = await client.images
      .upload(dataset, "x.png", Buffer.from("not an image"))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 415, code: "unsupported_media_type" });
    await expect(
      client.images.upload(dataset, "y.png", join(dir, "missing.png")),
    ).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("lists, filters, downloads, updates and deletes images", async () => {
    const paths: string[] = [];
    for await (const image of client.images.iter(dataset, { page_size: 2 })) paths.push(image.path);
    expect(paths).toEqual(["a/red.png", "b/green image.png", "c/blue.png", "c/red-again.png"]);
    const complete = await client.images.list(dataset, { status: "complete" });
    expect(complete.data.map((i) => i.path)).toEqual(["a/red.png"]);

    const stream = await client.images.download(dataset, "b/green image.png");
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(green)).toBe(true);

    const updated = await client.images.update(dataset, "b/green image.png", {
      status: "in_progress",
      tags: ["dusk"],
    });
    expect(updated).toMatchObject({ status: "in_progress", tags: ["dusk"] });
    await client.images.delete(dataset, "c/red-again.png");
    await expect(client.images.get(dataset, "c/red-again.png")).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("replaces annotations one image at a time and in bulk, and reads them back", async () => {
    const box = { type: "bbox" as const, class_name: "car", bbox: { x: 1, y: 1, w: 4, h: 3 } };
    const one = await client.annotations.replace(dataset, "a/red.png", [box]);
    expect(one.annotations).toEqual([
      { ...box, attributes: {}, confidence: null, occluded: false, z_order: 0 },
    ]);
    const bulk = await client.annotations.bulkReplace(dataset, [
      { path: "a/red.png", annotations: [box, box] },
      { path: "c/blue.png", annotations: [] },
    ]);
    expect(bulk).toEqual({ images: 2, annotations: 2 });
    expect((await client.annotations.get(dataset, "a/red.png")).annotations).toHaveLength(2);
    expect((await client.images.get(dataset, "a/red.png")).annotation_count).toBe(2);
  });
});

describe("imports", () => {
  it("imports an export of demo into a new dataset and reports what it read", async () => {
    const exp = await client.exports.create("demo", uniqueName("to-import"), {
      format: "coco",
      status_filter: "all",
      poll_interval: 0.25,
    });
    const zip = join(dir, "demo-coco.zip");
    await client.exports.download("demo", exp.name, { output_path: zip });

    const target = uniqueName("imported");
    await client.datasets.create(target);
    const seen: string[] = [];
    const done = await client.imports.create(target, zip, {
      format: "coco",
      poll_interval: 0.25,
      timeout: 120,
      on_progress: (job) => seen.push(job.status),
    });
    expect(done).toMatchObject({
      dataset_name: target,
      format: "coco",
      status: "completed",
      error_message: null,
    });
    expect(done.report).toMatchObject({ images: exp.image_count, image_files: exp.image_count });
    expect(seen[0]).toBe("pending");
    expect((await client.datasets.get(target)).image_counts.total).toBe(exp.image_count);
    expect((await client.imports.list(target)).map((i) => i.id)).toEqual([done.id]);
    expect(await client.imports.get(target, done.id)).toEqual(done);
  });
});

describe("API keys and roles", () => {
  it("creates a key shown once, which carries its role, and revokes it", async () => {
    const viewer = await client.apiKeys.create({ name: uniqueName("viewer"), role: "viewer" });
    expect(viewer.key).toMatch(/^pg_/);
    expect((await client.apiKeys.list()).map((k) => k.id)).toContain(viewer.id);
    const asViewer = new Client({ baseUrl: testServer().url, apiKey: viewer.key });
    expect(await asViewer.workspace.me()).toMatchObject({ role: "viewer" });
    const denied = await asViewer.datasets.delete("demo").catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect((denied as PermissionDeniedError).message).toBe(
      "this needs the admin role; your role is viewer",
    );

    const revoked = await client.apiKeys.revoke(viewer.id);
    expect(revoked.revoked_at).not.toBeNull();
    await expect(asViewer.workspace.me()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("a name already taken by another dataset is a ConflictError", async () => {
    await expect(client.datasets.create("demo")).rejects.toBeInstanceOf(ConflictError);
  });
});
