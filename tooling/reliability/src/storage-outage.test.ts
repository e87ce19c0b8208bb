// The S3-compatible server goes down mid-export: a worker process (STORAGE_DRIVER=s3) builds
// an export with images from a real S3-compatible server (s3rver), which is stopped while the
// build reads and uploads, and started again on the same port with the same data. The export
// either rides it out (retries) or fails with a message naming storage; either way an export
// created once storage is back completes, and storage never shows a partial ZIP. With
// `--full`, an outage longer than every retry: the export fails, clearly, and nothing is left.
import { createBlobStore, type BlobStore } from "@pictograph/storage";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  startS3TestServer,
  TEST_BUCKET,
  type S3TestServer,
} from "../../../packages/storage/test/s3-test-server";
import { FULL } from "./env";
import { recordFigures } from "./figures";
import {
  countProcessing,
  endedRow,
  expectOnlyWholeZips,
  generatedClasses,
  generatedImages,
  openScratch,
  queueExport,
  rowsOf,
  startWorkerProcess,
  stopWorkerProcess,
  storeDataset,
  waitFor,
  type Scratch,
  type WorkerProcess,
} from "./harness";
import type { StoredDataset } from "../../../packages/exporter/test/fixture-dataset";

const IMAGES = 1_500;
const SHORT_OUTAGE_MS = 5_000;
// Longer than an export's attempts and their back-off (5 + 10 + 20 s) together.
const LONG_OUTAGE_MS = 90_000;
const STORAGE_ERROR = /storage|S3|unreachable|ECONNREFUSED|socket|connect/i;

describe("S3-compatible storage stopped mid-export", () => {
  let scratch: Scratch;
  let s3: S3TestServer;
  let storage: BlobStore;
  let dataset: StoredDataset;
  let worker: WorkerProcess;

  beforeAll(async () => {
    scratch = await openScratch("reliability_storage");
    s3 = await startS3TestServer();
    storage = createBlobStore(s3.config());
    // A few distinct files, shared (1,500 concurrent PUTs would swamp s3rver); the build
    // still reads one object per image.
    dataset = await storeDataset(scratch.db, storage, {
      name: "outage",
      images: generatedImages(IMAGES),
      classes: generatedClasses,
      bytesFor: (image) => new Uint8Array(20_000).fill(image.path.length % 251),
      shareIdenticalFiles: true,
    });
    worker = await startWorkerProcess("storage-worker", {
      DATABASE_URL: scratch.database.url,
      STORAGE_DRIVER: "s3",
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: TEST_BUCKET,
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      WORKER_CONCURRENCY: "1",
      EXPORT_STALE_SECONDS: "5",
    });
  });

  afterEach(({ task }) => {
    if (task.result?.state === "fail") console.log(`--- worker\n${worker?.output()}`);
  });

  afterAll(async () => {
    if (worker) await stopWorkerProcess(worker);
    await s3?.stop();
    await scratch?.close();
  });

  /** Starts an export, takes storage down once its build is under way, brings it back. */
  async function exportThroughOutage(outageMs: number) {
    const created = await queueExport(scratch, dataset, { format: "coco", includeImages: true });
    await waitFor(
      "the build to be under way",
      async () => {
        const [row] = await rowsOf(scratch.db, [created.id]);
        return row!.status === "processing" && row!.progress > 0;
      },
      120_000,
    );
    const resume = await s3.interrupt();
    await sleep(outageMs);
    await resume();
    return waitFor("the export to end", () => endedRow(scratch.db, created.id), 300_000);
  }

  it("rides out a short outage or fails clearly; an export after it completes", async () => {
    const first = await exportThroughOutage(SHORT_OUTAGE_MS);
    if (first.status === "failed") expect(first.errorMessage).toMatch(STORAGE_ERROR);
    const again = await queueExport(scratch, dataset, { format: "yolo", includeImages: true });
    const second = await waitFor(
      "the export after the outage to end",
      () => endedRow(scratch.db, again.id),
      300_000,
    );
    expect(second).toMatchObject({ status: "completed" });
    expect(await countProcessing(scratch.db)).toBe(0);
    await expectOnlyWholeZips(storage, await rowsOf(scratch.db, [first.id, second.id]));
    recordFigures("storage-outage", {
      images: IMAGES,
      "short outage ms": SHORT_OUTAGE_MS,
      "the export through it":
        first.status === "completed"
          ? `completed (attempts: ${first.attempts})`
          : `failed: ${first.errorMessage}`,
      "the export after it": "completed",
    });
  });

  it.runIf(FULL)(
    "fails clearly when storage stays down past every retry, leaving nothing",
    async () => {
      const row = await exportThroughOutage(LONG_OUTAGE_MS);
      expect(row.status).toBe("failed");
      expect(row.errorMessage).toMatch(STORAGE_ERROR);
      expect(await countProcessing(scratch.db)).toBe(0);
      recordFigures("storage-outage", {
        "long outage ms": LONG_OUTAGE_MS,
        "the export through the long outage": `failed after ${row.attempts} attempts: ${row.errorMessage}`,
      });
    },
  );
});
