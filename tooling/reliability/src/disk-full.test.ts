// The local storage driver's disk fills up: storage lives on a small tmpfs of the test's own,
// filled until an export with images cannot fit. The export fails, after its retries, with a
// message saying the storage is full; nothing half-written is left (no object under exports/,
// no temp file) and every stored image still reads back byte for byte. Once space is freed,
// an export completes. Mounting needs root: elsewhere this test is skipped, and the injected
// ENOSPC test in packages/exporter/src/build-export-failures.test.ts stands in for it.
import { createLocalBlobStore, type LocalBlobStore } from "@pictograph/storage";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StoredDataset } from "../../../packages/exporter/test/fixture-dataset";
import { recordFigures } from "./figures";
import {
  countProcessing,
  endedRow,
  expectOnlyWholeZips,
  generatedClasses,
  generatedImages,
  openScratch,
  queueExport,
  startWorkerProcess,
  stopWorkerProcess,
  storeDataset,
  waitFor,
  type Scratch,
  type WorkerProcess,
} from "./harness";

const DISK_MB = 8;
const IMAGES = 300;
const FILE_BYTES = 25_000;
/** Free space left after filling: far less than a ZIP of the images (~7 MB). */
const LEFT_FREE_BYTES = 512 * 1024;

function mountTmpfs(): string | null {
  if (userInfo().uid !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), "pictograph-disk-full-"));
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${DISK_MB}m`, "tmpfs", dir]);
  if (mounted.status === 0) return dir;
  rmSync(dir, { recursive: true, force: true });
  return null;
}

const mount = mountTmpfs();

describe.skipIf(!mount)("local storage on a full disk", () => {
  let scratch: Scratch;
  let storage: LocalBlobStore;
  let dataset: StoredDataset;
  let worker: WorkerProcess;
  const filler = join(mount!, "filler");

  beforeAll(async () => {
    scratch = await openScratch("reliability_disk");
    storage = createLocalBlobStore({ dir: mount! });
    dataset = await storeDataset(scratch.db, storage, {
      name: "full-disk",
      images: generatedImages(IMAGES),
      classes: generatedClasses,
      bytesFor: (image) => new Uint8Array(FILE_BYTES).fill(image.path.length % 251),
      shareIdenticalFiles: true,
    });
    const free = () => {
      const stats = statfsSync(mount!);
      return stats.bavail * stats.bsize;
    };
    writeFileSync(filler, new Uint8Array(Math.max(0, free() - LEFT_FREE_BYTES)));
    worker = await startWorkerProcess("disk-worker", {
      DATABASE_URL: scratch.database.url,
      STORAGE_DIR: mount!,
      WORKER_CONCURRENCY: "1",
    });
  });

  afterEach(({ task }) => {
    if (task.result?.state === "fail") console.log(`--- worker\n${worker?.output()}`);
  });

  afterAll(async () => {
    if (worker) await stopWorkerProcess(worker);
    await scratch?.close();
    execFileSync("umount", ["-l", mount!]);
    rmSync(mount!, { recursive: true, force: true });
  });

  it("fails clearly, leaves nothing half-written and corrupts nothing; succeeds once space is freed", async () => {
    const created = await queueExport(scratch, dataset, {
      format: "pascal_voc",
      includeImages: true,
    });
    const failed = await waitFor(
      "the export to end",
      () => endedRow(scratch.db, created.id),
      180_000,
    );
    expect(failed.status).toBe("failed");
    expect(failed.errorMessage).toMatch(/full|space/i);
    expect(await countProcessing(scratch.db)).toBe(0);
    await expectOnlyWholeZips(storage, [failed]);
    expect(readdirSync(join(mount!, ".tmp"))).toEqual([]);
    // Every stored image still reads back as it was written.
    const keys = new Set<string>();
    for (const image of dataset.images) {
      const [row] = (await scratch.database.query(
        `SELECT blob_key, sha256 FROM images WHERE path = '${image.path}'`,
      )) as [string, string][];
      if (keys.has(row![0])) continue;
      keys.add(row![0]);
      const bytes = await buffer(await storage.get(row![0]));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(row![1]);
    }

    rmSync(filler);
    const again = await queueExport(scratch, dataset, {
      format: "pascal_voc",
      includeImages: true,
    });
    const done = await waitFor(
      "the export after freeing space to end",
      () => endedRow(scratch.db, again.id),
      180_000,
    );
    expect(done.status).toBe("completed");
    await expectOnlyWholeZips(storage, [failed, done]);
    recordFigures("disk-full", {
      "tmpfs MB": DISK_MB,
      "free KB when the export started": LEFT_FREE_BYTES / 1024,
      "the export on the full disk": `failed after ${failed.attempts} attempts: ${failed.errorMessage}`,
      "stored files checked intact": keys.size,
      "the export after freeing space": "completed",
    });
  });
});
