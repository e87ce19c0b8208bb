// The background workers of a process: export builds and imports, on the declared queues.
// Used by apps/worker (production) and by the web process in embedded mode.
import type { Db } from "@pictograph/db";
import { queues, type Jobs } from "@pictograph/jobs";
import type { BlobStore } from "@pictograph/storage";
import { buildExport } from "./build-export";
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
  log?: (line: string) => void;
};

export type Workers = {
  /** Exports this process has finished (any outcome), for health reporting. */
  readonly finished: number;
  stop(): Promise<void>;
};

export async function startWorkers(options: WorkerOptions): Promise<Workers> {
  const log = options.log ?? ((line: string) => console.log(`[worker ${options.workerId}] ${line}`));
  const deps = {
    db: options.db,
    storage: options.storage,
    workerId: options.workerId,
    retentionSeconds: options.retentionSeconds,
  };
  const controller = new AbortController();
  let finished = 0;

  await options.jobs.work(
    queues.exportBuild,
    async ({ exportId }, job) => {
      const outcome = await buildExport(deps, exportId, {
        signal: controller.signal,
        finalAttempt: job.isFinalAttempt,
      });
      finished++;
      log(`export ${exportId}: ${outcome.status}${"reason" in outcome ? ` (${outcome.reason})` : ""}${"message" in outcome ? `: ${outcome.message}` : ""}`);
      return { status: outcome.status, workerId: options.workerId };
    },
    { concurrency: options.concurrency },
  );
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
      controller.abort(new Error("the worker is shutting down"));
    },
  };
}
