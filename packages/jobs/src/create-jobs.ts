// createJobs(): a started pg-boss 10 on the database createDb() opened (Postgres or PGlite),
// with every declared queue created. enqueue() writes a job inside the caller's transaction,
// so "insert the export row and queue its build" commits or rolls back as one.
import type { DbHandle, DbOrTx } from "@pictograph/db";
import PgBoss from "pg-boss";
import { bossDbFor, trackWrites, transactionBossDb } from "./boss-db";
import { listenForQueued, signalQueued, type QueuedListener } from "./queued-signal";
import {
  allQueues,
  type JobPayloads,
  type Payload,
  type PayloadInput,
  type QueueDefinition,
  type QueueName,
} from "./definitions";

export type CreateJobsOptions = {
  /** The handle from createDb(); the queue's tables live in its database (schema `pgboss`). */
  handle: DbHandle;
  /** Queues to create; default every queue in definitions.ts. */
  queues?: readonly QueueDefinition[];
  /** Attempt time limit for queues that set none (EXPORT_TIMEOUT_SECONDS). */
  expireInSeconds?: number;
  /** How often an idle worker looks for jobs (pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  /** pg-boss's background errors (maintenance, polling); default: written to stderr. */
  onError?: (error: Error) => void;
};

/** What a handler knows about the attempt it runs. */
export type JobContext = {
  id: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** No retry follows if this attempt throws. */
  isFinalAttempt: boolean;
};

export type JobHandler<Q extends QueueDefinition> = (
  payload: Payload<Q>,
  job: JobContext,
) => Promise<unknown>;

export type EnqueueOptions = Pick<PgBoss.SendOptions, "startAfter" | "priority" | "singletonKey">;

export type Jobs = {
  /** The started pg-boss, for what this module does not wrap (getJobById, getQueue…). */
  boss: PgBoss;
  /**
   * Queues a job through `db`: pass the transaction that writes the job's row, and the job
   * exists only if that transaction commits. Returns the job id.
   */
  enqueue<Name extends QueueName>(
    db: DbOrTx,
    queue: Name,
    payload: JobPayloads[Name],
    options?: EnqueueOptions,
  ): Promise<string>;
  enqueue<Q extends QueueDefinition>(
    db: DbOrTx,
    queue: Q,
    payload: PayloadInput<Q>,
    options?: EnqueueOptions,
  ): Promise<string>;
  /** Runs `handler` for the queue's jobs, `concurrency` at a time in this process. A throw retries. */
  work<Q extends QueueDefinition>(
    queue: Q,
    handler: JobHandler<Q>,
    options?: { concurrency?: number },
  ): Promise<void>;
  /** Stops fetching, waits up to `timeoutMs` for running handlers, then resolves. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
};

/** How often an idle worker asks for a job: pg-boss's minimum, so a job waits half a second at
 * most (a 10-image export completes in well under a second). */
export const DEFAULT_POLLING_INTERVAL_SECONDS = 0.5;

export async function createJobs(options: CreateJobsOptions): Promise<Jobs> {
  const queues = options.queues ?? allQueues;
  const expireInSeconds = options.expireInSeconds ?? 3600;
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? DEFAULT_POLLING_INTERVAL_SECONDS;
  const writes = trackWrites(bossDbFor(options.handle));
  const boss = new PgBoss({
    db: writes.db,
    schema: "pgboss",
    // Cron schedules (storage.gc) run once per tick across every process; maintenance
    // (expiry, archiving) stays on.
    schedule: true,
  });
  const onError = options.onError ?? ((error: Error) => console.error("pg-boss:", error));
  boss.on("error", onError);
  await boss.start();
  for (const queue of queues) await ensureQueue(boss, queue, expireInSeconds);

  // This process's workers by queue, woken when a job is queued (queued-signal.ts).
  const workers = new Map<string, Promise<string>[]>();
  let listener: Promise<QueuedListener> | null = null;
  const notify = (worker: Promise<string>) => void worker.then((id) => boss.notifyWorker(id));
  const wake = (queue: string) => workers.get(queue)?.forEach(notify);

  return {
    boss,

    async enqueue(
      db: DbOrTx,
      queueOrName: QueueDefinition | string,
      payload: unknown,
      sendOptions?: EnqueueOptions,
    ) {
      const queue =
        typeof queueOrName === "string" ? queues.find((q) => q.name === queueOrName) : queueOrName;
      if (!queue) throw new Error(`no queue named "${String(queueOrName)}" was created`);
      const data = queue.payload.parse(payload) as object;
      const id = await boss.send(queue.name, data, { ...sendOptions, db: transactionBossDb(db) });
      // pg-boss answers null, without an error, for a queue that was never created.
      if (id === null)
        throw new Error(`job for queue "${queue.name}" was not queued: is the queue created?`);
      await signalQueued(db, queue.name);
      return id;
    },

    async work(queue, handler, workOptions) {
      listener ??= listenForQueued(options.handle, wake, onError);
      await listener;
      const ids = workers.get(queue.name) ?? [];
      workers.set(queue.name, ids);
      for (let i = 0; i < (workOptions?.concurrency ?? 1); i++) {
        // After a job, ask for the next at once: pg-boss otherwise waits out its polling
        // interval after every job, which caps a backlog at `concurrency` jobs per interval.
        // (The first job can finish before boss.work() has answered with the worker's id.)
        const askForMore = () => notify(workerId);
        const workerId = boss.work<unknown>(
          queue.name,
          { batchSize: 1, includeMetadata: true, pollingIntervalSeconds },
          async ([job]) => {
            if (!job) return;
            const context = {
              id: job.id,
              attempt: job.retryCount + 1,
              isFinalAttempt: job.retryCount >= job.retryLimit,
            };
            // pg-boss records the outcome (completed, or failed/retry on a throw) after this
            // returns, without awaiting it; stop() waits for that write. Recording it here
            // as well would let pg-boss's later "complete" land on the job's next attempt.
            try {
              // Payloads come from outside this process: trust nothing before parsing.
              const payload = queue.payload.parse(job.data) as Payload<typeof queue>;
              return await handler(payload, context);
            } finally {
              askForMore();
            }
          },
        );
        ids.push(workerId);
        await workerId;
      }
    },

    async stop(stopOptions) {
      workers.clear();
      // pg-boss marks its workers stopping as this is called, before anything is awaited: no
      // fetch starts after it (one already under way still runs its job to the end).
      const stopped = boss.stop({
        graceful: true,
        wait: true,
        close: true,
        timeout: stopOptions?.timeoutMs ?? 30_000,
      });
      await (await listener)?.close();
      await stopped;
      // The last jobs' outcomes, which pg-boss sent without awaiting, land before we return
      // (and before the caller closes the database).
      await writes.settled();
    },
  };
}

/** Creates the queue, or brings an existing one's settings up to date with its definition. */
async function ensureQueue(
  boss: PgBoss,
  queue: QueueDefinition,
  defaultExpireInSeconds: number,
): Promise<void> {
  const settings: PgBoss.Queue = {
    name: queue.name,
    policy: "standard",
    retryLimit: queue.retryLimit,
    retryDelay: queue.retryDelaySeconds,
    retryBackoff: queue.retryBackoff,
    expireInSeconds: queue.expireInSeconds ?? defaultExpireInSeconds,
    // pg-boss rejects a deadLetter key that is present but undefined.
    ...(queue.deadLetter ? { deadLetter: queue.deadLetter } : {}),
  };
  if (await boss.getQueue(queue.name)) await boss.updateQueue(queue.name, settings);
  else await boss.createQueue(queue.name, settings);
}
