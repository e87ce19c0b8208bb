// The workers of a process on a real queue: an export queued in a transaction is built; a build
// whose job used up its attempts still ends failed through the dead-letter queue; a build
// whose worker died is queued again as soon as its heartbeat is stale, a bounded number of
// times; stopping hands a running build back instead of
// failing it; and temp files a crashed writer left are cleaned at start.
import { claimExport, executeSqlText, getExportById, type Db, type DbHandle } from "@pictograph/db";
import { testBackends } from "@pictograph/db/testing";
import { createJobs, queues, type Jobs } from "@pictograph/jobs";
import { createLocalBlobStore, type LocalBlobStore } from "@pictograph/storage";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createExportRow,
  listKeys,
  storeDataset,
  type StoredDataset,
} from "../test/fixture-dataset";
import { GatedStore } from "../test/gated-store";
import { waitFor } from "../test/wait-for";
import { startWorkers, type Workers } from "./start-workers";

describe.each(testBackends(process.env.TEST_DATABASE_URL))("startWorkers on $name", (backend) => {
  let handle: DbHandle;
  let db: Db;
  let dir: string;
  let storage: LocalBlobStore;
  let dataset: StoredDataset;
  let jobs: Jobs;
  let workers: Workers | null = null;
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);

  beforeAll(async () => {
    handle = await backend.open();
    db = handle.db;
    dir = await mkdtemp(join(tmpdir(), "pictograph-workers-"));
    storage = createLocalBlobStore({ dir });
    dataset = await storeDataset(db, storage);
    // Attempts time out after 1 s, so an abandoned job can be expired without waiting.
    jobs = await createJobs({ handle, expireInSeconds: 1, pollingIntervalSeconds: 0.5 });
  });

  afterEach(async () => {
    await workers?.stop();
    workers = null;
  });

  afterAll(async () => {
    await jobs?.stop({ timeoutMs: 2_000 });
    await handle?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const rowOf = async (id: string) => (await getExportById(db, { exportId: id }))!;

  it("builds an export queued in the transaction that created it", async () => {
    workers = await startWorkers({ db, storage, jobs, workerId: "w1", concurrency: 1, log });
    const created = await db.transaction(async (tx) => {
      const row = await createExportRow(tx, dataset, { format: "yolo" });
      await jobs.enqueue(tx, queues.exportBuild, { exportId: row.id });
      return row;
    });
    const row = await waitFor("the export to complete", async () => {
      const current = await rowOf(created.id);
      return current.status === "completed" && current;
    });
    expect(row).toMatchObject({ workerId: "w1", imageCount: 5, attempts: 1 });
    expect(await storage.stat(row.blobKey!)).not.toBeNull();
  });

  it("fails an export whose job used up its attempts, through the dead-letter queue", async () => {
    const created = await createExportRow(db, dataset);
    // A worker takes the job on its last attempt and dies before it even claims the row.
    await jobs.boss.send(queues.exportBuild.name, { exportId: created.id }, { retryLimit: 0 });
    const [job] = await jobs.boss.fetch<{ exportId: string }>(queues.exportBuild.name);
    expect(job?.data.exportId).toBe(created.id);

    // pg-boss's maintenance (every 2 minutes in some process) expires the job; run it now.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await jobs.boss.expire();
    expect(await jobs.boss.getJobById(queues.exportBuild.name, job!.id)).toMatchObject({
      state: "failed",
    });

    workers = await startWorkers({ db, storage, jobs, workerId: "w2", concurrency: 1, log });
    const row = await waitFor("the export to be failed", async () => {
      const current = await rowOf(created.id);
      return current.status === "failed" && current;
    });
    expect(row.errorMessage).toBe(
      "the export could not be built after 0 attempts: no worker took it",
    );
    expect(await listKeys(storage, `exports/${created.id}/`)).toEqual([]);
  });

  it("queues again, at once, an export whose builder died, and builds it", async () => {
    const created = await createExportRow(db, dataset, { format: "coco" });
    // The job is taken and its row claimed by a worker that then dies: the job stays active
    // until its time limit, but the heartbeat goes stale in a second.
    await jobs.boss.send(
      queues.exportBuild.name,
      { exportId: created.id },
      { expireInSeconds: 3600 },
    );
    await jobs.boss.fetch(queues.exportBuild.name);
    expect(
      await claimExport(db, { exportId: created.id, workerId: "dead", staleAfterSeconds: 30 }),
    ).toMatchObject({ state: "claimed" });
    workers = await startWorkers({
      db,
      storage,
      jobs,
      workerId: "w9",
      concurrency: 1,
      log,
      staleAfterSeconds: 1,
    });
    const done = await waitFor("the export to be built again", async () => {
      const current = await rowOf(created.id);
      return current.status === "completed" && current;
    });
    expect(done).toMatchObject({ workerId: "w9", attempts: 2, errorMessage: null });
    expect(lines).toContain(`export ${created.id}: its builder stopped; queued again`);
    expect(await listKeys(storage, `exports/${created.id}/`)).toEqual([done.blobKey]);
  });

  it("fails, rather than retries forever, an export whose every builder died", async () => {
    const created = await createExportRow(db, dataset);
    for (let attempt = 1; attempt <= queues.exportBuild.retryLimit + 1; attempt++) {
      await executeSqlText(
        db,
        "UPDATE exports SET heartbeat_at = now() - interval '1 minute' WHERE id = $1",
        [created.id],
      );
      expect(
        await claimExport(db, {
          exportId: created.id,
          workerId: `dead-${attempt}`,
          staleAfterSeconds: 30,
        }),
      ).toMatchObject({ state: "claimed", row: { attempts: attempt } });
    }
    workers = await startWorkers({
      db,
      storage,
      jobs,
      workerId: "w10",
      concurrency: 1,
      log,
      staleAfterSeconds: 1,
    });
    const row = await waitFor("the export to be failed", async () => {
      const current = await rowOf(created.id);
      return current.status === "failed" && current;
    });
    expect(row.errorMessage).toBe(
      "the export could not be built after 4 attempts: its worker stopped (crashed, was killed or ran out of memory) during each of them",
    );
  });

  it("leaves an export alone when its dead letter arrives after it completed", async () => {
    workers = await startWorkers({ db, storage, jobs, workerId: "w3", concurrency: 1, log });
    const created = await createExportRow(db, dataset, { format: "csv" });
    await jobs.enqueue(db, queues.exportBuild, { exportId: created.id });
    await waitFor(
      "the export to complete",
      async () => (await rowOf(created.id)).status === "completed",
    );
    await jobs.enqueue(db, queues.exportBuildDead, { exportId: created.id });
    await waitFor("the dead letter to be handled", () => jobsDone(queues.exportBuildDead.name));
    expect(await rowOf(created.id)).toMatchObject({ status: "completed", errorMessage: null });
  });

  it("leaves an export whose builder is still beating to that builder, and looks again later", async () => {
    const created = await createExportRow(db, dataset);
    expect(
      await claimExport(db, { exportId: created.id, workerId: "alive", staleAfterSeconds: 30 }),
    ).toMatchObject({ state: "claimed" });
    workers = await startWorkers({
      db,
      storage,
      jobs,
      workerId: "w7",
      concurrency: 1,
      log,
      staleAfterSeconds: 30,
    });
    const deadId = await jobs.enqueue(db, queues.exportBuildDead, { exportId: created.id });
    await waitFor(
      "the dead letter to be looked at",
      async () =>
        (await jobs.boss.getJobById(queues.exportBuildDead.name, deadId))?.state === "retry",
    );
    expect(await rowOf(created.id)).toMatchObject({ status: "processing", workerId: "alive" });
  });

  async function jobsDone(queue: string): Promise<boolean> {
    const { rows } = await executeSqlText(
      db,
      "SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state < 'completed'",
      [queue],
    );
    return Number(rows[0]!.n) === 0;
  }

  it("hands a running build back to the queue when stopped, instead of failing it", async () => {
    const gated = new GatedStore(storage, { reads: (key) => key.startsWith("images/") });
    workers = await startWorkers({ db, storage: gated, jobs, workerId: "w4", concurrency: 1, log });
    const created = await createExportRow(db, dataset, { includeImages: true });
    await jobs.enqueue(db, queues.exportBuild, { exportId: created.id });
    await waitFor("the build to wait for an image", () => gated.waiting > 0);
    await workers.stop();
    workers = null;
    const row = await waitFor("the build to be handed back", async () => {
      const current = await rowOf(created.id);
      return current.status === "pending" && current;
    });
    expect(row.errorMessage).toBe("retrying: the worker stopped during the build");
    gated.open();
    expect(await listKeys(storage, `exports/${created.id}/`)).toEqual([]);

    // Another worker builds it on the retry.
    workers = await startWorkers({ db, storage, jobs, workerId: "w5", concurrency: 1, log });
    const done = await waitFor(
      "the retry to complete",
      async () => {
        const current = await rowOf(created.id);
        return current.status === "completed" && current;
      },
      40_000,
    );
    expect(done).toMatchObject({ workerId: "w5", attempts: 2 });
  });

  it("schedules storage garbage collection hourly and runs it as a job", async () => {
    workers = await startWorkers({ db, storage, jobs, workerId: "w8", concurrency: 1, log });
    const schedules = await jobs.boss.getSchedules();
    expect(schedules).toContainEqual(
      expect.objectContaining({ name: "storage.gc", cron: "17 * * * *" }),
    );
    await storage.put("images/orphan", new Uint8Array([1]));
    const past = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(join(dir, "images/orphan"), past, past);
    const id = await jobs.enqueue(db, queues.storageGc, {});
    await waitFor("the garbage collection job to finish", async () => {
      const job = await jobs.boss.getJobById(queues.storageGc.name, id);
      return job?.state === "completed" ? job : undefined;
    });
    expect(await storage.stat("images/orphan")).toBeNull();
  });

  it("removes temp files a crashed writer left, and only stale ones", async () => {
    const temp = join(dir, ".tmp");
    await mkdir(temp, { recursive: true });
    await writeFile(join(temp, "crashed"), "half a zip");
    await writeFile(join(temp, "live"), "an upload in progress");
    const anHourAgo = new Date(Date.now() - 61 * 60 * 1000);
    await utimes(join(temp, "crashed"), anHourAgo, anHourAgo);
    workers = await startWorkers({ db, storage, jobs, workerId: "w6", concurrency: 1, log });
    expect(await readdir(temp)).toEqual(["live"]);
    await rm(join(temp, "live"));
  });
});
