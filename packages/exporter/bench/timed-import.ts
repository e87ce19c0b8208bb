// One import timed the way a user sees it: the upload is already in storage (as the API's
// upload route leaves it), then the import row is created and its job queued in one
// transaction, as that route does, and the row is polled until a worker (another process)
// has completed it. It never imports anything itself.
import { createImport, getImportById, type Db } from "@pictograph/db";
import { queues, type Jobs } from "@pictograph/jobs";
import type { Format } from "@pictograph/schema";
import { setTimeout as sleep } from "node:timers/promises";

const POLL_MS = 25;
const TIMEOUT_MS = 30 * 60_000;

export type TimedImport = {
  /** Create (transaction start) → the poll that saw `completed`, by this process's clock. */
  wallMs: number;
  /** created_at → started_at: the queue's pickup (polling) plus the claim. */
  pickupMs: number;
  /** started_at → completed_at: the import itself. */
  runMs: number;
  images: number;
  annotations: number;
  problems: number;
};

export async function timeImport(params: {
  db: Db;
  jobs: Jobs;
  workspaceId: string;
  datasetId: string;
  format: Format;
  blobKey: string;
  /** Called at each poll until the row is completed (memory sampling). */
  onPoll?: (elapsedMs: number) => void;
}): Promise<TimedImport> {
  const { db } = params;
  const began = performance.now();
  const created = await db.transaction(async (tx) => {
    const row = await createImport(tx, {
      workspaceId: params.workspaceId,
      datasetId: params.datasetId,
      format: params.format,
      blobKey: params.blobKey,
    });
    await params.jobs.enqueue(tx, queues.importRun, { importId: row.id });
    return row;
  });
  for (;;) {
    await sleep(POLL_MS);
    params.onPoll?.(performance.now() - began);
    const row = await getImportById(db, { importId: created.id });
    if (!row) throw new Error(`import ${created.id} disappeared`);
    if (row.status === "failed") throw new Error(`import failed: ${row.errorMessage}`);
    if (row.status === "completed") {
      const wallMs = performance.now() - began;
      return {
        wallMs,
        pickupMs: row.startedAt!.getTime() - row.createdAt.getTime(),
        runMs: row.completedAt!.getTime() - row.startedAt!.getTime(),
        images: row.report?.images ?? 0,
        annotations: row.report?.annotations ?? 0,
        problems: (row.report?.problems.length ?? 0) + (row.report?.problems_truncated ?? 0),
      };
    }
    if (performance.now() - began > TIMEOUT_MS)
      throw new Error(`import still ${row.status} after ${TIMEOUT_MS} ms`);
  }
}
