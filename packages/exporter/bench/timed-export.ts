// One export timed the way a user sees it: the row is created and its build queued in one
// transaction, as the API's exports.create does, and the row is polled until a worker
// (another process) has completed it. It never builds anything itself.
import { createExport, getExportById, type Db } from "@pictograph/db";
import { queues, type Jobs } from "@pictograph/jobs";
import type { Format } from "@pictograph/schema";
import type { BlobStore } from "@pictograph/storage";
import { setTimeout as sleep } from "node:timers/promises";

const POLL_MS = 25;
const TIMEOUT_MS = 15 * 60_000;

export type TimedExport = {
  /** Create (transaction start) → the poll that saw `completed`, by this process's clock. */
  wallMs: number;
  /** created_at → started_at: the queue's pickup (polling) plus the claim. */
  pickupMs: number;
  /** started_at → completed_at: the build itself. */
  buildMs: number;
  images: number;
  annotations: number;
  sizeBytes: number;
};

export async function timeExport(params: {
  db: Db;
  jobs: Jobs;
  storage: BlobStore;
  workspaceId: string;
  datasetId: string;
  name: string;
  format: Format;
  includeImages: boolean;
  /** Called at each poll until the row is completed (memory sampling). */
  onPoll?: (elapsedMs: number) => void;
}): Promise<TimedExport> {
  const { db } = params;
  const began = performance.now();
  const created = await db.transaction(async (tx) => {
    const row = await createExport(tx, {
      workspaceId: params.workspaceId,
      datasetId: params.datasetId,
      name: params.name,
      format: params.format,
      includeImages: params.includeImages,
      classFilter: null,
      statusFilter: "all",
    });
    await params.jobs.enqueue(tx, queues.exportBuild, { exportId: row.id });
    return row;
  });
  for (;;) {
    await sleep(POLL_MS);
    params.onPoll?.(performance.now() - began);
    const row = await getExportById(db, { exportId: created.id });
    if (!row) throw new Error(`export ${params.name} disappeared`);
    if (row.status === "failed")
      throw new Error(`export ${params.name} failed: ${row.errorMessage}`);
    if (row.status === "completed") {
      const wallMs = performance.now() - began;
      // The ZIP is not needed: delete it so a long run does not fill the disk.
      if (row.blobKey) await params.storage.delete(row.blobKey);
      return {
        wallMs,
        pickupMs: row.startedAt!.getTime() - row.createdAt.getTime(),
        buildMs: row.completedAt!.getTime() - row.startedAt!.getTime(),
        images: row.imageCount ?? 0,
        annotations: row.annotationCount ?? 0,
        sizeBytes: row.sizeBytes ?? 0,
      };
    }
    if (performance.now() - began > TIMEOUT_MS)
      throw new Error(`export ${params.name} still ${row.status} after ${TIMEOUT_MS} ms`);
  }
}
