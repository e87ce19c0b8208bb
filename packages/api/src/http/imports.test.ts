// Imports end to end: a ZIP in each of the seven formats is uploaded through
// POST /datasets/{d}/imports, its job runs (runImport, or a real worker through pg-boss),
// and what the API then lists equals what the format's reader makes of the same ZIP: classes,
// images, annotations, image files and the report. Broken uploads fail clearly; an import
// into uploaded images attaches annotations to them; 10k images go in bulk.
import { testBackends } from "@pictograph/db/testing";
import { runImport, startWorkers } from "@pictograph/exporter";
import { getFormat, openZipArchive } from "@pictograph/formats";
import {
  fixtureImages,
  jpegBytes,
  readAll,
  stubImageBytes,
  writeFilesZip,
  writeFixtureZip,
} from "@pictograph/formats/testing";
import {
  FORMATS,
  type Annotation,
  type Class,
  type Format,
  type Image,
  type Import,
} from "@pictograph/schema";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pngFile } from "../test-images";
import {
  callRest,
  expectError,
  expectOk,
  openTestApi,
  provisionWorkspace,
  storedFiles,
  type TestApi,
  type TestWorkspace,
} from "../testing";

type Page = { data: Image[]; next_cursor: string | null };
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe.each(testBackends(process.env.TEST_DATABASE_URL))("imports on $name", (backend) => {
  let t: TestApi;
  let ws: TestWorkspace;
  let dir: string;
  let statements = 0;
  const call = (method: string, path: string, json?: unknown) =>
    callRest(t.api, method, path, { key: ws.keys.member, json });

  async function upload(dataset: string, format: string, zip: Uint8Array): Promise<Import> {
    return expectOk<Import>(
      await callRest(t.api, "POST", `/datasets/${dataset}/imports?format=${format}`, {
        key: ws.keys.member,
        body: zip,
      }),
      202,
    );
  }

  async function allImages(dataset: string): Promise<Image[]> {
    const images: Image[] = [];
    let cursor: string | null = null;
    do {
      const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page: Page = expectOk<Page>(
        await call("GET", `/datasets/${dataset}/images?limit=200${after}`),
      );
      images.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    return images;
  }

  beforeAll(async () => {
    t = await openTestApi(backend, { logger: { logQuery: () => void statements++ } });
    ws = await provisionWorkspace(t.db);
    dir = await mkdtemp(join(tmpdir(), "pictograph-import-test-"));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => expect(t.internalErrors).toEqual([]));

  it.each(FORMATS.map((format) => [format]))(
    "imports a %s ZIP exactly as the format's reader reads it",
    async (format: Format) => {
      const zipPath = join(dir, `fixture-${format}.zip`);
      await writeFixtureZip(zipPath, { format });
      // What the reader makes of the ZIP, read here the way the worker reads it.
      const archive = await openZipArchive(zipPath);
      const read = await getFormat(format).read(archive);
      const expected = await readAll(read);
      const expectedProblems = [...archive.problems, ...read.problems];
      const memberBytes = new Map<string, Uint8Array>();
      for (const { file } of expected) if (file) memberBytes.set(file, await archive.read(file));
      await archive.close();
      expect(expected.length).toBeGreaterThan(0);

      const dataset = `from-${format.replace("_", "-")}`;
      expectOk(await call("POST", "/datasets", { name: dataset }), 201);
      const pending = await upload(dataset, format, await readFile(zipPath));
      expect(pending).toMatchObject({
        dataset_name: dataset,
        format,
        status: "pending",
        report: null,
      });
      expect((await runImport({ db: t.db, storage: t.storage }, pending.id)).status).toBe(
        "completed",
      );

      const done = expectOk<Import>(
        await call("GET", `/datasets/${dataset}/imports/${pending.id}`),
      );
      expect(done).toMatchObject({ status: "completed", progress: 100, error_message: null });
      expect(done.completed_at).not.toBeNull();
      expect(done.report).toEqual({
        images: expected.length,
        annotations: expected.reduce((sum, { image }) => sum + image.annotations.length, 0),
        image_files: expected.filter((e) => e.file).length,
        problems: expectedProblems,
        problems_truncated: 0,
      });

      const classes = expectOk<Class[]>(await call("GET", `/datasets/${dataset}/classes`));
      expect(classes).toEqual(read.classes.map((c, position) => ({ ...c, position })));

      const images = await allImages(dataset);
      const byPath = new Map(images.map((i) => [i.path, i]));
      expect([...byPath.keys()].sort()).toEqual(expected.map((e) => e.image.path).sort());
      for (const { image, file } of expected) {
        const listed = byPath.get(image.path)!;
        const { annotations, ...record } = image;
        expect(listed, image.path).toMatchObject({
          ...record,
          annotation_count: annotations.length,
        });
        const got = expectOk<{ annotations: Annotation[] }>(
          await call("GET", `/datasets/${dataset}/annotations/${image.path}`),
        );
        expect(got.annotations, image.path).toEqual(annotations);
        if (file) {
          const bytes = memberBytes.get(file)!;
          expect(listed).toMatchObject({ sha256: sha256(bytes), size_bytes: bytes.byteLength });
          const served = await call("GET", `/datasets/${dataset}/image-files/${image.path}`);
          expect(sha256(served.bytes)).toBe(sha256(bytes));
        } else {
          expect(listed.sha256).toBe("");
        }
      }
      // The uploaded ZIP is removed once read.
      expect((await storedFiles(t.storageDir)).filter((f) => f.startsWith("imports/"))).toEqual([]);
    },
  );

  it("fails a broken ZIP with a clear message and keeps nothing of it", async () => {
    expectOk(await call("POST", "/datasets", { name: "broken" }), 201);
    const pending = await upload(
      "broken",
      "coco",
      new TextEncoder().encode("this is not a zip file at all"),
    );
    expect((await runImport({ db: t.db, storage: t.storage }, pending.id)).status).toBe("failed");
    const failed = expectOk<Import>(await call("GET", `/datasets/broken/imports/${pending.id}`));
    expect(failed.status).toBe("failed");
    expect(failed.error_message).toMatch(/^not a ZIP file: the uploaded file/);
    expect(failed.error_message).not.toContain("/tmp");
    expect(failed.report).toBeNull();
    expect(await allImages("broken")).toEqual([]);
    expect(
      expectOk<Import[]>(await call("GET", "/datasets/broken/imports")).map((i) => i.status),
    ).toEqual(["failed"]);
  });

  it("reports a ZIP with nothing the format reads as problems, not as a failure", async () => {
    expectOk(await call("POST", "/datasets", { name: "wrong-format" }), 201);
    const zipPath = join(dir, "yolo-as-coco.zip");
    await writeFixtureZip(zipPath, { format: "yolo" });
    const pending = await upload("wrong-format", "coco", await readFile(zipPath));
    await runImport({ db: t.db, storage: t.storage }, pending.id);
    const done = expectOk<Import>(
      await call("GET", `/datasets/wrong-format/imports/${pending.id}`),
    );
    expect(done.status).toBe("completed");
    expect(done.report).toMatchObject({ images: 0, annotations: 0 });
    expect(done.report!.problems.length).toBeGreaterThan(0);
  });

  it("attaches imported annotations to images uploaded before, keeping their files, through a real worker", async () => {
    expectOk(await call("POST", "/datasets", { name: "uploaded-first" }), 201);
    const uploaded = new Map<string, string>();
    for (const image of fixtureImages.slice(0, 2)) {
      // Not the bytes the ZIP carries for it: the upload's file must be the one kept.
      const bytes = image.path.endsWith(".png")
        ? pngFile(image.width, image.height)
        : jpegBytes(image.height, image.width, 6);
      const created = expectOk<Image>(
        await callRest(t.api, "PUT", `/datasets/uploaded-first/images/${image.path}`, {
          key: ws.keys.member,
          body: bytes,
        }),
        201,
      );
      uploaded.set(image.path, created.sha256);
      expect(stubImageBytes(image)).not.toEqual(bytes);
    }
    const zipPath = join(dir, "attach.zip");
    await writeFixtureZip(zipPath, { format: "coco" });
    const pending = await upload("uploaded-first", "coco", await readFile(zipPath));

    const workers = await startWorkers({
      db: t.db,
      storage: t.storage,
      jobs: t.jobs!,
      workerId: "test",
      concurrency: 1,
      log: () => undefined,
    });
    let done: Import = pending;
    try {
      for (
        let waited = 0;
        waited < 60_000 && (done.status === "pending" || done.status === "processing");
        waited += 250
      ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        done = expectOk<Import>(
          await call("GET", `/datasets/uploaded-first/imports/${pending.id}`),
        );
      }
    } finally {
      await workers.stop();
    }
    expect(done.status).toBe("completed");
    const images = await allImages("uploaded-first");
    for (const [path, sha] of uploaded) {
      const image = images.find((i) => i.path === path)!;
      // The uploaded file stays; the annotations are the imported ones.
      expect(image.sha256).toBe(sha);
      const expected = fixtureImages.find((i) => i.path === path)!;
      expect(image.annotation_count).toBeGreaterThan(0);
      expect(image.annotation_count).toBeLessThanOrEqual(expected.annotations.length);
    }
    expect(done.report!.image_files).toBe(done.report!.images - uploaded.size);
  });

  it("refuses bad import requests without storing anything", async () => {
    expectOk(await call("POST", "/datasets", { name: "refusals" }), 201);
    const before = await storedFiles(t.storageDir);
    const zip = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
    const post = (query: string, body?: Uint8Array) =>
      callRest(t.api, "POST", `/datasets/refusals/imports${query}`, { key: ws.keys.member, body });
    expect(expectError(await post("", zip), 422, "validation_error")).toContain(
      `format must be one of: ${FORMATS.join(", ")}`,
    );
    expect(expectError(await post("?format=voc", zip), 422, "validation_error")).toContain(
      "format must be one of",
    );
    expectError(await post("?format=coco"), 400, "bad_request");
    expectError(
      await callRest(t.api, "POST", "/datasets/nowhere/imports?format=coco", {
        key: ws.keys.member,
        body: zip,
      }),
      404,
      "not_found",
    );
    // A body cut off mid-upload: a 400, no import and no stored file.
    let sent = 0;
    const cutOff = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 2) controller.enqueue(new Uint8Array(1024));
        else controller.error(new Error("connection reset by peer"));
      },
    });
    expectError(await post("?format=coco", cutOff as unknown as Uint8Array), 400, "bad_request");
    expect(await storedFiles(t.storageDir)).toEqual(before);
    expect(expectOk<Import[]>(await call("GET", "/datasets/refusals/imports"))).toEqual([]);

    expect(
      expectError(
        await call("GET", "/datasets/refusals/imports/not-a-uuid"),
        422,
        "validation_error",
      ),
    ).toContain("id must be an import id");
    expectError(
      await call("GET", `/datasets/refusals/imports/${crypto.randomUUID()}`),
      404,
      "not_found",
    );
  });

  it("imports 10,000 COCO images in bulk, in few statements", async () => {
    const count = 10_000;
    const coco = {
      images: Array.from({ length: count }, (_, i) => ({
        id: i + 1,
        file_name: `frame${String(i).padStart(5, "0")}.jpg`,
        width: 1280,
        height: 720,
      })),
      categories: [
        { id: 1, name: "car", supercategory: "" },
        { id: 2, name: "person", supercategory: "" },
      ],
      annotations: Array.from({ length: count * 2 }, (_, i) => ({
        id: i + 1,
        image_id: Math.floor(i / 2) + 1,
        category_id: (i % 2) + 1,
        bbox: [10 + (i % 50), 20, 30, 40],
        area: 1200,
        iscrowd: 0,
      })),
    };
    const zipPath = join(dir, "coco-10k.zip");
    await writeFilesZip(zipPath, { "annotations/instances_train.json": JSON.stringify(coco) });
    expectOk(await call("POST", "/datasets", { name: "big" }), 201);
    const pending = await upload("big", "coco", await readFile(zipPath));

    statements = 0;
    const started = performance.now();
    const outcome = await runImport({ db: t.db, storage: t.storage }, pending.id);
    const seconds = (performance.now() - started) / 1000;
    const used = statements;
    console.log(
      `[${backend.name}] 10,000-image COCO import (20,000 boxes): ${seconds.toFixed(2)} s, ${used} SQL statements`,
    );

    expect(outcome.status).toBe("completed");
    const done = expectOk<Import>(await call("GET", `/datasets/big/imports/${pending.id}`));
    expect(done.report).toMatchObject({
      images: count,
      annotations: count * 2,
      image_files: 0,
      problems: [],
    });
    // Ten batches of a thousand: a few statements each, never one per image or annotation.
    expect(used).toBeLessThan(200);
    const dataset = expectOk<{ image_counts: { total: number } }>(
      await call("GET", "/datasets/big"),
    );
    expect(dataset.image_counts.total).toBe(count);
    const last = expectOk<{ annotations: Annotation[] }>(
      await call("GET", "/datasets/big/annotations/frame09999.jpg"),
    );
    expect(last.annotations.map((a) => a.class_name)).toEqual(["car", "person"]);
    expect(
      expectOk<Page>(
        await call("GET", "/datasets/big/images?class_name=person&split=train&limit=5"),
      ).data,
    ).toHaveLength(5);
  }, 120_000);
});
