// The worker's side of an export row. A build claims the row and from then on proves it is
// still the owner on every write: `attempts` is the fencing token, so a worker that was
// presumed dead (or whose export was deleted) can never overwrite a newer attempt's result.
import type { ExportStatus } from "@pictograph/schema";
import { and, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { datasetExports, type ExportRow } from "../schema";

export type ExportClaim =
  | { state: "claimed"; row: ExportRow }
  | { state: "missing" }
  | { state: "finished"; status: ExportStatus }
  /** Another worker is building it and its heartbeat is fresh. */
  | { state: "busy" };

/**
 * Takes a pending export, or a processing one whose builder stopped beating for
 * `staleAfterSeconds`, for this worker: status processing, attempts + 1.
 */
export async function claimExport(
  db: DbOrTx,
  params: { exportId: string; workerId: string; staleAfterSeconds: number },
): Promise<ExportClaim> {
  const stale = sql`now() - make_interval(secs => ${params.staleAfterSeconds})`;
  const [row] = await db
    .update(datasetExports)
    .set({
      status: "processing",
      attempts: sql`${datasetExports.attempts} + 1`,
      workerId: params.workerId,
      startedAt: sql`now()`,
      heartbeatAt: sql`now()`,
      progress: 0,
      errorMessage: null,
    })
    .where(
      and(
        eq(datasetExports.id, params.exportId),
        or(
          eq(datasetExports.status, "pending"),
          and(eq(datasetExports.status, "processing"), lt(datasetExports.heartbeatAt, stale)),
        ),
      ),
    )
    .returning();
  if (row) return { state: "claimed", row };
  const [current] = await db
    .select({ status: datasetExports.status })
    .from(datasetExports)
    .where(eq(datasetExports.id, params.exportId));
  if (!current) return { state: "missing" };
  if (current.status === "completed" || current.status === "failed")
    return { state: "finished", status: current.status };
  return { state: "busy" };
}

const owned = (exportId: string, attempt: number) =>
  and(
    eq(datasetExports.id, exportId),
    eq(datasetExports.attempts, attempt),
    eq(datasetExports.status, "processing"),
  );

/** Saves progress; false when the build lost its row (deleted, or taken over). */
export async function heartbeatExport(
  db: DbOrTx,
  params: { exportId: string; attempt: number; progress: number },
): Promise<boolean> {
  const rows = await db
    .update(datasetExports)
    .set({ heartbeatAt: sql`now()`, progress: params.progress })
    .where(owned(params.exportId, params.attempt))
    .returning({ id: datasetExports.id });
  return rows.length > 0;
}

/** Publishes a built ZIP: the row names its blob only from this UPDATE on. */
export async function completeExport(
  db: DbOrTx,
  params: {
    exportId: string;
    attempt: number;
    blobKey: string;
    sizeBytes: number;
    sha256: string;
    imageCount: number;
    annotationCount: number;
    completedAt: Date;
    expiresAt: Date;
  },
): Promise<ExportRow | null> {
  const { exportId, attempt, ...result } = params;
  const [row] = await db
    .update(datasetExports)
    .set({
      ...result,
      status: "completed",
      progress: 100,
      errorMessage: null,
      heartbeatAt: sql`now()`,
    })
    .where(owned(exportId, attempt))
    .returning();
  return row ?? null;
}

/** False when there was nothing to fail: the export was deleted, or another attempt owns it. */
export async function failExport(
  db: DbOrTx,
  params: { exportId: string; attempt?: number; errorMessage: string },
): Promise<boolean> {
  const ended = await db
    .update(datasetExports)
    .set({ status: "failed", errorMessage: params.errorMessage, completedAt: sql`now()` })
    .where(
      params.attempt === undefined
        ? and(
            eq(datasetExports.id, params.exportId),
            inArray(datasetExports.status, ["pending", "processing"]),
          )
        : owned(params.exportId, params.attempt),
    )
    .returning({ id: datasetExports.id });
  return ended.length > 0;
}

/** Gives a build back to the queue after a transient failure: pending again, with the reason. */
export async function releaseExport(
  db: DbOrTx,
  params: { exportId: string; attempt: number; errorMessage: string },
): Promise<void> {
  await db
    .update(datasetExports)
    .set({ status: "pending", errorMessage: params.errorMessage, progress: 0 })
    .where(owned(params.exportId, params.attempt));
}

/**
 * Fails an export whose build job is gone for good (its attempts are used up): a pending one,
 * or a processing one whose builder stopped beating `staleAfterSeconds` ago. A builder still
 * beating is left alone: it ends the row itself. True when the row was failed.
 */
export async function failAbandonedExport(
  db: DbOrTx,
  params: { exportId: string; errorMessage: string; staleAfterSeconds: number },
): Promise<boolean> {
  const stale = sql`now() - make_interval(secs => ${params.staleAfterSeconds})`;
  const rows = await db
    .update(datasetExports)
    .set({ status: "failed", errorMessage: params.errorMessage, completedAt: sql`now()` })
    .where(
      and(
        eq(datasetExports.id, params.exportId),
        or(
          eq(datasetExports.status, "pending"),
          and(eq(datasetExports.status, "processing"), lt(datasetExports.heartbeatAt, stale)),
        ),
      ),
    )
    .returning({ id: datasetExports.id });
  return rows.length > 0;
}

/**
 * Exports whose builder stopped beating `staleAfterSeconds` ago (its worker crashed, was
 * killed or lost the database): back to pending while they have attempts left, for the caller
 * to queue again in the same transaction; failed for good once `maxAttempts` builders have
 * died on them, so an export that kills its worker every time cannot loop forever. Each row
 * is taken by one caller only: a concurrent sweep re-reads it after the first one's update.
 */
export async function takeBackStaleExports(
  db: DbOrTx,
  params: { staleAfterSeconds: number; maxAttempts: number },
): Promise<{ requeued: string[]; failed: string[] }> {
  const stale = and(
    eq(datasetExports.status, "processing"),
    lt(datasetExports.heartbeatAt, sql`now() - make_interval(secs => ${params.staleAfterSeconds})`),
  );
  const failed = await db
    .update(datasetExports)
    .set({
      status: "failed",
      errorMessage: sql`'the export could not be built after ' || ${datasetExports.attempts} || ' attempts: its worker stopped (crashed, was killed or ran out of memory) during each of them'`,
      completedAt: sql`now()`,
    })
    .where(and(stale, gte(datasetExports.attempts, params.maxAttempts)))
    .returning({ id: datasetExports.id });
  const requeued = await db
    .update(datasetExports)
    .set({
      status: "pending",
      progress: 0,
      errorMessage: "retrying: the worker building it stopped",
    })
    .where(and(stale, lt(datasetExports.attempts, params.maxAttempts)))
    .returning({ id: datasetExports.id });
  return { requeued: requeued.map((r) => r.id), failed: failed.map((r) => r.id) };
}
