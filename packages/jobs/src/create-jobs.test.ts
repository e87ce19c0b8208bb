import { executeSqlText, getWorkspaceByName, type DbHandle } from "@pictograph/db";
import { createTestWorkspace, testBackends } from "@pictograph/db/testing";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createJobs, type JobContext, type Jobs } from "./create-jobs";
import { allQueues, queues, type QueueDefinition } from "./definitions";

// A queue of the tests' own, with fast retries, so a failing job runs its course in seconds.
const flakyQueue = {
  name: "test.flaky",
  payload: z.object({ attemptsToFail: z.int() }),
  retryLimit: 2,
  retryDelaySeconds: 0,
  retryBackoff: false,
} satisfies QueueDefinition;

describe.each(testBackends(process.env.TEST_DATABASE_URL))("jobs on $name", (backend) => {
  let handle: DbHandle;
  let jobs: Jobs;
  const built = new Map<string, { payload: unknown; job: JobContext }>();
  const flakyRuns: JobContext[] = [];

  beforeAll(async () => {
    handle = await backend.open();
    jobs = await createJobs({
      handle,
      queues: [...allQueues, flakyQueue],
      pollingIntervalSeconds: 0.5,
    });
    await jobs.work(queues.exportBuild, async (payload, job) => {
      built.set(payload.exportId, { payload, job });
      return { built: payload.exportId };
    });
    // Two at a time, so one worker can start a retry while the other's outcome is in flight.
    await jobs.work(
      flakyQueue,
      async (payload, job) => {
        flakyRuns.push(job);
        if (job.attempt <= payload.attemptsToFail) throw new Error(`attempt ${job.attempt} fails`);
        return { ok: job.attempt };
      },
      { concurrency: 2 },
    );
  });
  afterAll(async () => {
    await jobs?.stop({ timeoutMs: 5_000 });
    await handle?.close();
  });

  it("creates every declared queue with its retry and time-limit settings", async () => {
    expect(await jobs.boss.getQueue("export.build")).toMatchObject({
      policy: "standard",
      retryLimit: 3,
      retryBackoff: true,
      expireInSeconds: 3600,
    });
    expect(await jobs.boss.getQueue("import.run")).toMatchObject({ retryLimit: 3 });
  });

  it("sends a job and works it to completed", async () => {
    const exportId = randomUUID();
    const id = await jobs.enqueue(handle.db, queues.exportBuild, { exportId });

    const done = await waitForState(jobs, "export.build", id, ["completed"]);
    expect(done.output).toEqual({ built: exportId });
    expect(built.get(exportId)).toEqual({
      payload: { exportId },
      job: { id, attempt: 1, isFinalAttempt: false },
    });
  });

  it("takes a declared queue by name too, and refuses a name that was never declared", async () => {
    const exportId = randomUUID();
    const id = await jobs.enqueue(handle.db, "export.build", { exportId });
    await waitForState(jobs, "export.build", id, ["completed"]);
    expect(built.get(exportId)?.payload).toEqual({ exportId });
    await expect(
      // @ts-expect-error: not a declared queue
      jobs.enqueue(handle.db, "export.nope", { exportId }),
    ).rejects.toThrow('no queue named "export.nope" was created');
  });

  it("retries a failing job until its retries run out, then fails it", async () => {
    const id = await jobs.enqueue(handle.db, flakyQueue, { attemptsToFail: 99 });

    const failed = await waitForState(jobs, flakyQueue.name, id, ["failed"]);
    expect(failed.retryCount).toBe(2);
    expect(failed.output).toMatchObject({ message: "attempt 3 fails" });
    const runs = flakyRuns.filter((run) => run.id === id);
    expect(runs.map((run) => [run.attempt, run.isFinalAttempt])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
  });

  it("fails every attempt of many jobs failing at once: no outcome lands on a later attempt", async () => {
    // Found in CI: an outcome written twice (once by us, once late by pg-boss) could mark
    // a job's next attempt completed when the retry started before the late write landed.
    const ids = await Promise.all(
      Array.from({ length: 12 }, () => jobs.enqueue(handle.db, flakyQueue, { attemptsToFail: 99 })),
    );
    for (const id of ids) {
      const failed = await waitForState(jobs, flakyQueue.name, id, ["failed", "completed"]);
      expect(failed).toMatchObject({ state: "failed", retryCount: 2 });
      expect(flakyRuns.filter((run) => run.id === id).map((run) => run.attempt)).toEqual([1, 2, 3]);
    }
  });

  it("completes a job on the retry after a failed attempt", async () => {
    const id = await jobs.enqueue(handle.db, flakyQueue, { attemptsToFail: 1 });
    const done = await waitForState(jobs, flakyQueue.name, id, ["completed"]);
    expect(done).toMatchObject({ retryCount: 1, output: { ok: 2 } });
  });

  it("queues nothing when the transaction that enqueued rolls back, and one job when it commits", async () => {
    const rolledBack = randomUUID();
    let workspaceName = "";
    await expect(
      handle.db.transaction(async (tx) => {
        workspaceName = (await createTestWorkspace(tx)).name;
        await jobs.enqueue(tx, queues.exportBuild, { exportId: rolledBack });
        throw new Error("the request failed after enqueueing");
      }),
    ).rejects.toThrow("the request failed after enqueueing");
    expect(await getWorkspaceByName(handle.db, { name: workspaceName })).toBeNull();
    expect(await jobsFor(handle, rolledBack)).toBe(0);

    const committed = randomUUID();
    const id = await handle.db.transaction(async (tx) => {
      workspaceName = (await createTestWorkspace(tx)).name;
      return jobs.enqueue(tx, queues.exportBuild, { exportId: committed });
    });
    expect(await getWorkspaceByName(handle.db, { name: workspaceName })).not.toBeNull();
    expect(await jobsFor(handle, committed)).toBe(1);
    await waitForState(jobs, "export.build", id, ["completed"]);
    expect(built.has(committed)).toBe(true);
    expect(built.has(rolledBack)).toBe(false);
  });

  it("refuses a payload that does not match its queue, queueing nothing", async () => {
    await expect(
      jobs.enqueue(handle.db, queues.exportBuild, { exportId: "not-a-uuid" }),
    ).rejects.toThrow(z.ZodError);
    await expect(
      // @ts-expect-error: the payload type is checked at compile time too
      jobs.enqueue(handle.db, queues.importRun, { exportId: randomUUID() }),
    ).rejects.toThrow(z.ZodError);
    const { rows } = await executeSqlText(
      handle.db,
      "SELECT count(*)::int AS n FROM pgboss.job WHERE data->>'exportId' = 'not-a-uuid' OR name = 'import.run'",
    );
    expect(rows[0]?.n).toBe(0);
  });

  it("works a backlog job after job, not one job per polling interval", async () => {
    const backlogQueue = { ...flakyQueue, name: "test.backlog", payload: z.object({}) };
    // A 60 s interval: 8 queued jobs would take 7 minutes if each waited for the next poll.
    const own = await createJobs({ handle, queues: [backlogQueue], pollingIntervalSeconds: 60 });
    try {
      const ids = [];
      for (let i = 0; i < 8; i++) ids.push(await own.enqueue(handle.db, backlogQueue, {}));
      let done = 0;
      const allDone = new Promise<void>((resolve) => {
        void own.work(backlogQueue, async () => {
          if (++done === ids.length) resolve();
        });
      });
      const started = Date.now();
      await allDone;
      // The first poll comes at once and the other seven follow it: far under one interval.
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await own.stop({ timeoutMs: 5_000 });
    }
  }, 60_000);

  it("wakes an idle worker the moment a job is queued by another process, not at its next poll", async () => {
    const idleQueue = { ...flakyQueue, name: "test.idle", payload: z.object({}) };
    // Two instances, as the web app and a worker process would be; the worker polls once a minute.
    const worker = await createJobs({ handle, queues: [idleQueue], pollingIntervalSeconds: 60 });
    const web = await createJobs({ handle, queues: [idleQueue], pollingIntervalSeconds: 60 });
    try {
      let ran!: () => void;
      const done = new Promise<void>((resolve) => (ran = resolve));
      await worker.work(idleQueue, async () => ran());
      // Past the worker's first poll, which found nothing: it now sleeps for a minute.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const queuedAt = Date.now();
      await web.enqueue(handle.db, idleQueue, {});
      await done;
      expect(Date.now() - queuedAt).toBeLessThan(30_000);
    } finally {
      await web.stop({ timeoutMs: 5_000 });
      await worker.stop({ timeoutMs: 5_000 });
    }
  }, 60_000);

  it("stops gracefully: a running handler finishes and its job completes", async () => {
    const slowQueue = {
      ...flakyQueue,
      name: "test.slow",
      payload: z.object({}),
    } satisfies QueueDefinition;
    const own = await createJobs({ handle, queues: [slowQueue], pollingIntervalSeconds: 0.5 });
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finished = false;
    await own.work(slowQueue, async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      finished = true;
    });
    const id = await own.enqueue(handle.db, slowQueue, {});
    await running;

    await own.stop({ timeoutMs: 10_000 });
    expect(finished).toBe(true);
    expect(await own.boss.getJobById(slowQueue.name, id)).toMatchObject({ state: "completed" });
  });
});

async function jobsFor(handle: DbHandle, exportId: string): Promise<number> {
  const { rows } = await executeSqlText(
    handle.db,
    "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'export.build' AND data->>'exportId' = $1",
    [exportId],
  );
  return Number(rows[0]?.n ?? 0);
}

async function waitForState(
  jobs: Jobs,
  queue: string,
  id: string,
  states: string[],
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await jobs.boss.getJobById(queue, id);
    if (job && states.includes(job.state)) return job;
    if (Date.now() > deadline)
      throw new Error(`job ${id} is ${job?.state ?? "missing"}, not ${states.join("/")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
