// The background workers of a process: export builds and imports, on the declared queues.
// Used by apps/worker (production) and by the web process in embedded mode. Stopping hands
// running builds back to the queue; it never marks them failed.
import { failAbandonedExport, getExportById, takeBackStaleExports, type Db } from "@pictograph/db";
import { queues, type Jobs } from "@pictograph/jobs";
import { useExportHeapPolicy } from "@pictograph/formats";
import type { BlobStore } from "@pictograph/storage";
import { WorkerShutdownError } from "./build-errors";
import { buildExport } from "./build-export";
import { collectGarbage } from "./collect-garbage";
import { runImport } from "./run-import";

export type WorkerOptions = {
  db: Db;
  storage: BlobStore;
  jobs: Jobs;
  /** Recorded on each export it builds (host and pid). */
  workerId: string;
  /** Exports built at once in this process. */
  concurrency: number;
  retentionSeconds?: number;
  /** A `processing` export whose builder has not beaten its heartbeat for this long may be
   * taken over by a retry; default 30. */
  staleAfterSeconds?: number;
  /**
   * Temp files (local) or unfinished multipart uploads (S3) older than this were left by a
   * crashed writer: removed at start and then every half of it. Default 1 hour; keep it
   * above the longest upload or build (EXPORT_TIMEOUT_SECONDS).
   */
  staleTempAfterMs?: number;
  /** A build running longer fails with a clear message (EXPORT_TIMEOUT_SECONDS); default none. */
  buildTimeoutMs?: number;
  log?: (line: string) => void;
};

export type Workers = {
  /** Exports this process has finished (any outcome), for health reporting. */
  readonly finished: number;
  /** Takes no more jobs and aborts builds still running (they go back to pending for another
   * worker); resolves once they have. */
  stop(): Promise<void>;
};

const HOUR_MS = 60 * 60 * 1000;
const STALE_AFTER_SECONDS = 30;

export async function startWorkers(options: WorkerOptions): Promise<Workers> {
  useExportHeapPolicy();
  const log =
    options.log ?? ((line: string) => console.log(`[worker ${options.workerId}] ${line}`));
  const deps = {
    db: options.db,
    storage: options.storage,
    workerId: options.workerId,
    retentionSeconds: options.retentionSeconds,
    staleAfterSeconds: options.staleAfterSeconds,
  };
  const controller = new AbortController();
  let finished = 0;

  const staleTempAfterMs = options.staleTempAfterMs ?? HOUR_MS;
  const removeStaleTemp = async () => {
    try {
      const removed = await options.storage.removeStaleTemp(staleTempAfterMs);
      if (removed)
        log(
          `removed ${removed} temporary upload${removed === 1 ? "" : "s"} left by a crashed writer`,
        );
    } catch (error) {
      log(`could not clean temporary uploads: ${(error as Error).message}`);
    }
  };
  await removeStaleTemp();
  const tempSweep = setInterval(() => void removeStaleTemp(), Math.max(1000, staleTempAfterMs / 2));
  tempSweep.unref();

  // A worker that died mid-build leaves its export `processing` and its job `active` until
  // the job's time limit (EXPORT_TIMEOUT_SECONDS, an hour by default). Every process looks
  // for such builds and queues them again as soon as their heartbeat is stale.
  const staleAfterSeconds = options.staleAfterSeconds ?? STALE_AFTER_SECONDS;
  const takeBackStaleBuilds = async () => {
    try {
      const { requeued, failed } = await options.db.transaction(async (tx) => {
        const taken = await takeBackStaleExports(tx, {
          staleAfterSeconds,
          maxAttempts: queues.exportBuild.retryLimit + 1,
        });
        for (const exportId of taken.requeued)
          await options.jobs.enqueue(tx, queues.exportBuild, { exportId });
        return taken;
      });
      for (const exportId of requeued) log(`export ${exportId}: its builder stopped; queued again`);
      for (const exportId of failed)
        log(`export ${exportId}: failed: every builder it had stopped`);
    } catch (error) {
      log(`could not look for abandoned builds: ${(error as Error).message}`);
    }
  };
  const staleSweep = setInterval(
    () => void takeBackStaleBuilds(),
    Math.max(1000, (staleAfterSeconds * 1000) / 2),
  );
  staleSweep.unref();

  const running = new Set<Promise<unknown>>();
  await options.jobs.work(
    queues.exportBuild,
    async ({ exportId }, job) => {
      const build = buildExport(deps, exportId, {
        signal: controller.signal,
        finalAttempt: job.isFinalAttempt,
        timeoutMs: options.buildTimeoutMs,
      });
      running.add(build);
      const outcome = await build.finally(() => running.delete(build));
      finished++;
      log(
        `export ${exportId}: ${outcome.status}${"reason" in outcome ? ` (${outcome.reason})` : ""}${"message" in outcome ? `: ${outcome.message}` : ""}`,
      );
      return { status: outcome.status, workerId: options.workerId };
    },
    { concurrency: options.concurrency },
  );
  // A build job that used up its attempts without ending the row (its worker died, or it
  // ran out of time): no build will run again, so the export must not stay pending.
  await options.jobs.work(queues.exportBuildDead, async ({ exportId }) => {
    const message = await endAbandonedExport(options.db, exportId, staleAfterSeconds);
    if (message) log(`export ${exportId}: failed: ${message}`);
    return { failed: message !== null };
  });
  // Hourly, once across all processes (pg-boss cron): expired exports and orphaned files.
  await options.jobs.boss.schedule(queues.storageGc.name, "17 * * * *", {}, { tz: "UTC" });
  await options.jobs.work(queues.storageGc, async () => {
    const report = await collectGarbage({ db: options.db, storage: options.storage });
    if (report.expiredExports || report.orphans)
      log(
        `storage: removed ${report.expiredExports} expired export(s) and ${report.orphans} orphaned file(s)`,
      );
    return report;
  });
  await options.jobs.work(
    queues.importRun,
    async ({ importId }, job) => {
      const outcome = await runImport(deps, importId, { finalAttempt: job.isFinalAttempt });
      log(`import ${importId}: ${outcome.status}${outcome.message ? `: ${outcome.message}` : ""}`);
      return { status: outcome.status };
    },
    { concurrency: 1 },
  );
  return {
    get finished() {
      return finished;
    },
    async stop() {
      clearInterval(tempSweep);
      clearInterval(staleSweep);
      // Take no new job, then hand the running builds back.
      for (const queue of [
        queues.exportBuild,
        queues.exportBuildDead,
        queues.storageGc,
        queues.importRun,
      ])
        await options.jobs.boss.offWork(queue.name);
      controller.abort(new WorkerShutdownError());
      // Aborted builds settle quickly (their rows go back to pending): wait, so the caller
      // may close the database afterwards.
      await Promise.allSettled([...running]);
    },
  };
}

/**
 * Fails a pending export, or a processing one whose builder is gone, for good. Throws while a
 * builder is still beating, so the dead letter is retried and looks again later (that builder
 * usually ends the row itself first). The message it was failed with, or null.
 */
async function endAbandonedExport(
  db: Db,
  exportId: string,
  staleAfterSeconds: number,
): Promise<string | null> {
  const row = await getExportById(db, { exportId });
  if (!row || (row.status !== "pending" && row.status !== "processing")) return null;
  const attempts = `${row.attempts} attempt${row.attempts === 1 ? "" : "s"}`;
  const why =
    row.status === "processing"
      ? "the last one did not finish in time or its worker stopped"
      : (row.errorMessage?.replace(/^retrying: /, "") ?? "no worker took it");
  const message = `the export could not be built after ${attempts}: ${why}`;
  if (await failAbandonedExport(db, { exportId, errorMessage: message, staleAfterSeconds }))
    return message;
  const now = await getExportById(db, { exportId });
  if (now?.status === "processing")
    throw new Error(
      `export ${exportId} is still being built by ${now.workerId}: checking again later`,
    );
  return null;
}
