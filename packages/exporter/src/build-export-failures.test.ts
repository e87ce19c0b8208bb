// How a build ends when it cannot succeed: a message a user understands, a retry when the
// failure is transient, never a row left in `processing`, never a ZIP (or a temp file) left
// behind. And a build whose export is deleted stops and leaves nothing.
import {
  claimExport,
  deleteExport,
  getExportById,
  replaceClasses,
  updateExport,
  updateImage,
  type Db,
  type DbHandle,
} from "@pictograph/db";
import { testBackends } from "@pictograph/db/testing";
import { fixtureClasses } from "@pictograph/formats/testing";
import {
  BlobNotFoundError,
  createBlobStore,
  createLocalBlobStore,
  type BlobStore,
  type ByteRange,
  type LocalBlobStore,
} from "@pictograph/storage";
import { mkdtemp, open, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startS3TestServer } from "../test/s3-server";
import {
  createExportRow,
  listKeys,
  storeDataset,
  type StoredDataset,
} from "../test/fixture-dataset";
import { GatedStore } from "../test/gated-store";
import { waitFor } from "../test/wait-for";
import { RetryableExportError } from "./build-errors";
import { buildExport } from "./build-export";
import { exportBlobKey } from "./export-keys";

describe.each(testBackends(process.env.TEST_DATABASE_URL))("failed builds on $name", (backend) => {
  let handle: DbHandle;
  let db: Db;
  let dir: string;
  let storage: LocalBlobStore;
  let dataset: StoredDataset;

  beforeAll(async () => {
    handle = await backend.open();
    db = handle.db;
    dir = await mkdtemp(join(tmpdir(), "pictograph-exporter-failures-"));
    storage = createLocalBlobStore({ dir });
    dataset = await storeDataset(db, storage);
  });

  afterAll(async () => {
    await handle?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // Whatever happened, nothing is left under exports/ and no put left a temp file.
  afterEach(async () => {
    expect(await listKeys(storage, "exports/")).toEqual([]);
    expect(await readdir(join(dir, ".tmp")).catch(() => [])).toEqual([]);
  });

  const rowOf = async (id: string) => getExportById(db, { exportId: id });

  /** A build held once its ZIP is stored, until `gate.open()`; its heartbeat is slow, so the
   * row can be made to look abandoned meanwhile. */
  const buildHeldAtStoredZip = async (exportId: string, workerId: string) => {
    const gate = new GatedStore(storage, { storedPuts: (key) => key.startsWith("exports/") });
    const building = buildExport({ db, storage: gate, workerId, heartbeatMs: 60_000 }, exportId);
    await waitFor("the ZIP to be stored", () => gate.waiting > 0);
    return { building, gate };
  };

  it("fails naming a filtered class that was deleted before the build", async () => {
    const own = await storeDataset(db, storage, { name: "classes-change" });
    const created = await createExportRow(db, own, { classFilter: ["car", "unused"] });
    await replaceClasses(db, {
      datasetId: own.datasetId,
      classes: fixtureClasses.filter((c) => c.name !== "unused"),
    });
    const outcome = await buildExport({ db, storage, workerId: "test" }, created.id);
    expect(outcome).toMatchObject({ status: "failed" });
    const row = await rowOf(created.id);
    expect(row).toMatchObject({ status: "failed", blobKey: null });
    expect(row!.errorMessage).toContain('"unused"');
    expect(row!.errorMessage).not.toMatch(/\n\s+at /);
  });

  it("fails clearly when an image has no stored file", async () => {
    const own = await storeDataset(db, storage, {
      name: "no-file",
      withoutFile: ["drafts/raw.png"],
    });
    const created = await createExportRow(db, own, { includeImages: true });
    const outcome = await buildExport({ db, storage, workerId: "test" }, created.id);
    expect(outcome).toMatchObject({ status: "failed" });
    const row = await rowOf(created.id);
    expect(row).toMatchObject({ status: "failed", blobKey: null });
    expect(row!.errorMessage).toMatch(/drafts\/raw\.png/);
    expect(row!.errorMessage).toMatch(/upload|without images/);
    // The same dataset exports fine without images.
    const withoutImages = await createExportRow(db, own, { includeImages: false });
    expect(await buildExport({ db, storage, workerId: "test" }, withoutImages.id)).toMatchObject({
      status: "completed",
    });
    await storage.delete((await rowOf(withoutImages.id))!.blobKey!);
  });

  it("fails clearly when an image's stored file has gone missing", async () => {
    const own = await storeDataset(db, storage, { name: "file-gone" });
    const [gone] = await listKeys(storage, `images/${own.datasetId}/`);
    await storage.delete(gone!);
    const created = await createExportRow(db, own, { includeImages: true });
    const outcome = await buildExport({ db, storage, workerId: "test" }, created.id);
    expect(outcome).toMatchObject({ status: "failed" });
    const row = await rowOf(created.id);
    expect(row).toMatchObject({ status: "failed", blobKey: null });
    // Names the image (the fixture's first one is batch1/street.jpg), not a storage key.
    expect(row!.errorMessage).toMatch(/batch1\/street\.jpg/);
    expect(row!.errorMessage).not.toContain(gone);
  });

  it("retries while storage is full, and fails with a clear message on the last attempt", async () => {
    // The same directory, but every file a put opens is /dev/full: writes fail with ENOSPC.
    const full = createLocalBlobStore({ dir, openTempFile: () => open("/dev/full", "w") });
    const created = await createExportRow(db, dataset, { includeImages: true });
    const deps = { db, storage: full, workerId: "test" };

    const first = buildExport(deps, created.id, { finalAttempt: false });
    await expect(first).rejects.toBeInstanceOf(RetryableExportError);
    const released = await rowOf(created.id);
    expect(released).toMatchObject({ status: "pending", attempts: 1, blobKey: null });
    expect(released!.errorMessage).toMatch(/^retrying: storage unavailable: disk is full/);

    const last = await buildExport(deps, created.id, { finalAttempt: true });
    expect(last).toMatchObject({ status: "failed" });
    const failed = await rowOf(created.id);
    expect(failed).toMatchObject({ status: "failed", attempts: 2, blobKey: null });
    expect(failed!.errorMessage).toMatch(/^storage unavailable: disk is full/);
  });

  it("names the full disk when it fills while the ZIP is still being written", async () => {
    // Images large enough that the ZIP is far from done when the disk runs out after 2 MiB.
    const own = await storeDataset(db, storage, {
      name: "fills-up",
      bytesFor: (image) => new Uint8Array(1024 * 1024).fill(image.path.length),
    });
    const fillsUp = createLocalBlobStore({
      dir,
      openTempFile: async (path) => {
        const handle = await open(path, "wx");
        let room = 2 * 1024 * 1024;
        return new Proxy(handle, {
          get: (target, name, receiver) =>
            name === "writev"
              ? async (buffers: Uint8Array[]) => {
                  const bytes = buffers.reduce((sum, b) => sum + b.byteLength, 0);
                  if ((room -= bytes) < 0)
                    throw Object.assign(new Error("ENOSPC: no space left on device"), {
                      code: "ENOSPC",
                    });
                  return target.writev(buffers);
                }
              : (Reflect.get(target, name, receiver) as unknown),
        });
      },
    });
    const created = await createExportRow(db, own, { includeImages: true });
    const deps = { db, storage: fillsUp, workerId: "test" };
    expect(await buildExport(deps, created.id, { finalAttempt: true })).toMatchObject({
      status: "failed",
    });
    // Not the ZIP writer's knock-on "output was closed": the disk is the cause.
    expect((await rowOf(created.id))!.errorMessage).toMatch(/^storage unavailable: disk is full/);
  });

  it("retries while S3 is unreachable, and fails with a clear message on the last attempt", async () => {
    const server = await startS3TestServer();
    const config = server.config();
    await server.stop(); // nothing listens on its port any more
    const unreachable: BlobStore = createBlobStore(config);
    const created = await createExportRow(db, dataset, { includeImages: false });
    const deps = { db, storage: unreachable, workerId: "test" };

    await expect(buildExport(deps, created.id)).rejects.toBeInstanceOf(RetryableExportError);
    expect(await rowOf(created.id)).toMatchObject({
      status: "pending",
      errorMessage: expect.stringMatching(/^retrying: storage unavailable/),
    });
    expect(await buildExport(deps, created.id, { finalAttempt: true })).toMatchObject({
      status: "failed",
    });
    const row = await rowOf(created.id);
    expect(row).toMatchObject({
      status: "failed",
      errorMessage: expect.stringMatching(/^storage unavailable: /),
    });
    expect(row!.errorMessage).toContain(config.endpoint!);
  });

  it("stops and leaves nothing when its export is deleted mid-build", async () => {
    const gated = new GatedStore(storage, { reads: (key) => key.startsWith("images/") });
    const created = await createExportRow(db, dataset, { includeImages: true });
    const building = buildExport(
      { db, storage: gated, workerId: "test", heartbeatMs: 100 },
      created.id,
    );
    await waitFor("the build to wait for an image", () => gated.waiting > 0);
    expect(await rowOf(created.id)).toMatchObject({ status: "processing" });
    await deleteExport(db, { exportId: created.id });
    const outcome = await building;
    gated.open();
    expect(outcome).toEqual({ status: "skipped", reason: "the export was deleted" });
    expect(await rowOf(created.id)).toBeNull();
  });

  it("is skipped, not failed, when its export is deleted and the build fails before noticing", async () => {
    // The image is lost once the gate opens; the heartbeat is too slow to see the delete.
    class LostImages extends GatedStore {
      override async get(key: string, range?: ByteRange): ReturnType<GatedStore["get"]> {
        (await super.get(key, range)).destroy();
        throw new BlobNotFoundError(key);
      }
    }
    const lost = new LostImages(storage, { reads: (key) => key.startsWith("images/") });
    const created = await createExportRow(db, dataset, { includeImages: true });
    const building = buildExport(
      { db, storage: lost, workerId: "test", heartbeatMs: 60_000 },
      created.id,
    );
    await waitFor("the build to wait for an image", () => lost.waiting > 0);
    await deleteExport(db, { exportId: created.id });
    lost.open();
    expect(await building).toEqual({
      status: "skipped",
      reason: "the export was deleted or taken over",
    });
  });

  it("stops and leaves nothing when its export is deleted while the ZIP is being stored", async () => {
    // Images pass, but the build cannot publish until the gate opens: delete in between.
    const created = await createExportRow(db, dataset, { includeImages: false });
    const { building, gate } = await buildHeldAtStoredZip(created.id, "test");
    expect(await listKeys(storage, "exports/")).toHaveLength(1);
    await deleteExport(db, { exportId: created.id });
    gate.open();
    expect(await building).toEqual({ status: "skipped", reason: "the export was deleted" });
  });

  it("fails with a clear message, leaving nothing, when the build runs past its time limit", async () => {
    const gated = new GatedStore(storage, { reads: (key) => key.startsWith("images/") });
    const created = await createExportRow(db, dataset, { includeImages: true });
    const outcome = await buildExport({ db, storage: gated, workerId: "test" }, created.id, {
      timeoutMs: 300,
    });
    gated.open();
    expect(outcome).toMatchObject({ status: "failed" });
    const row = await rowOf(created.id);
    expect(row).toMatchObject({ status: "failed", blobKey: null });
    expect(row!.errorMessage).toBe(
      "the build took longer than its time limit of 300 ms; export fewer images, leave images out, or raise EXPORT_TIMEOUT_SECONDS",
    );
  });

  it("builds again, rather than failing, when the dataset changes while it is exported", async () => {
    const own = await storeDataset(db, storage, { name: "edited-meanwhile" });
    const gated = new GatedStore(storage, {
      reads: (key) => key.startsWith(`images/${own.datasetId}/`),
    });
    // COCO reads the selection once per split: a later pass sees the edit, an earlier one did not.
    const created = await createExportRow(db, own, {
      format: "coco",
      includeImages: true,
      statusFilter: "complete",
    });
    const building = buildExport({ db, storage: gated, workerId: "test" }, created.id, {
      finalAttempt: false,
    });
    await waitFor("the build to wait for an image", () => gated.waiting > 0);
    // An annotator marks another image complete while the export streams.
    await updateImage(db, { datasetId: own.datasetId, path: "drafts/raw.png", status: "complete" });
    gated.open();
    await expect(building).rejects.toBeInstanceOf(RetryableExportError);
    expect(await rowOf(created.id)).toMatchObject({
      status: "pending",
      errorMessage: "retrying: the dataset changed while it was being exported",
    });
    const again = await buildExport({ db, storage, workerId: "test" }, created.id);
    expect(again).toMatchObject({ status: "completed", row: { imageCount: 4, attempts: 2 } });
    await storage.delete(exportBlobKey(created.id, 2));
  });

  it("removes the ZIP an earlier attempt uploaded before its worker died", async () => {
    const created = await createExportRow(db, dataset, { includeImages: false });
    // Attempt 1 claimed the row, uploaded its ZIP and died before publishing it.
    expect(
      await claimExport(db, { exportId: created.id, workerId: "dead", staleAfterSeconds: 30 }),
    ).toMatchObject({ state: "claimed" });
    await storage.put(exportBlobKey(created.id, 1), new TextEncoder().encode("an unpublished zip"));
    await updateExport(db, { exportId: created.id, heartbeatAt: new Date(Date.now() - 60_000) });

    const outcome = await buildExport({ db, storage, workerId: "test" }, created.id);
    expect(outcome).toMatchObject({
      status: "completed",
      row: { attempts: 2, blobKey: exportBlobKey(created.id, 2) },
    });
    expect(await listKeys(storage, "exports/")).toEqual([exportBlobKey(created.id, 2)]);
    await storage.delete(exportBlobKey(created.id, 2));
  });

  it("taken over while it stores its ZIP, leaves the newer attempt's published ZIP alone", async () => {
    // Attempt 1 stalls after uploading, long enough to look dead (its heartbeat is slow).
    const created = await createExportRow(db, dataset, { includeImages: false });
    const { building: first, gate } = await buildHeldAtStoredZip(created.id, "stalled");
    await updateExport(db, { exportId: created.id, heartbeatAt: new Date(Date.now() - 60_000) });
    // Attempt 2 takes over and publishes, then attempt 1 wakes and finds the row taken.
    expect(await buildExport({ db, storage, workerId: "second" }, created.id)).toMatchObject({
      status: "completed",
      row: { attempts: 2, blobKey: exportBlobKey(created.id, 2) },
    });
    gate.open();
    const outcome = await first;
    expect(await listKeys(storage, "exports/")).toEqual([exportBlobKey(created.id, 2)]);
    expect(await rowOf(created.id)).toMatchObject({ status: "completed", attempts: 2 });
    expect(outcome).toEqual({ status: "skipped", reason: "a newer attempt took the export over" });
    await storage.delete(exportBlobKey(created.id, 2));
  });

  it("is not taken over while its builder is alive", async () => {
    const created = await createExportRow(db, dataset, { includeImages: false });
    expect(
      await claimExport(db, { exportId: created.id, workerId: "alive", staleAfterSeconds: 30 }),
    ).toMatchObject({ state: "claimed" });
    await expect(
      buildExport({ db, storage, workerId: "test" }, created.id, { finalAttempt: false }),
    ).rejects.toBeInstanceOf(RetryableExportError);
    expect(await rowOf(created.id)).toMatchObject({
      status: "processing",
      workerId: "alive",
      attempts: 1,
    });
  });

  it("is skipped when the export was deleted before it started", async () => {
    const created = await createExportRow(db, dataset);
    await deleteExport(db, { exportId: created.id });
    expect(await buildExport({ db, storage, workerId: "test" }, created.id)).toMatchObject({
      status: "skipped",
    });
  });
});
