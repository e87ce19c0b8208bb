// Real worker processes (`tsx src/main.ts`) on one PostgreSQL database, after `migrate`: two
// of them build every export exactly once, never the same one at the same time; a worker
// SIGKILLed mid-build leaves its export to be finished by the other on retry, with nothing left
// behind; SIGTERM lets a running build finish and takes no new job. Postgres only: skipped
// without TEST_DATABASE_URL.
import {
  createDb,
  executeSqlText,
  getExportById,
  type Db,
  type DbHandle,
  type DbOrTx,
} from "@pictograph/db";
import { createJobs, queues, type Jobs } from "@pictograph/jobs";
import { FORMATS, type Format } from "@pictograph/schema";
import { createLocalBlobStore, type LocalBlobStore } from "@pictograph/storage";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createExportRow,
  downloadZip,
  listKeys,
  storeDataset,
  type StoredDataset,
} from "../../../packages/exporter/test/fixture-dataset";
import {
  generatedClasses,
  generatedImages,
} from "../../../packages/exporter/test/generated-images";
import { waitFor } from "../../../packages/exporter/test/wait-for";
import {
  runMigrate,
  startWorkerProcess,
  stopWorkerProcess,
  type WorkerProcess,
} from "../test/worker-process";

const serverUrl = process.env.TEST_DATABASE_URL;
// Short enough to test a killed worker's retry; the same in the workers and in this process's
// pg-boss, so neither changes the queue's settings.
const EXPORT_TIMEOUT_SECONDS = 20;
const BIG = 4_000;

describe.skipIf(!serverUrl)("worker processes on Postgres", () => {
  let admin: DbHandle;
  let databaseName: string;
  let databaseUrl: string;
  let handle: DbHandle;
  let db: Db;
  let jobs: Jobs;
  let dir: string;
  let storage: LocalBlobStore;
  let small: StoredDataset;
  let big: StoredDataset;
  const workers: WorkerProcess[] = [];

  const workerEnv = () => ({
    DATABASE_URL: databaseUrl,
    STORAGE_DIR: dir,
    EXPORT_TIMEOUT_SECONDS: String(EXPORT_TIMEOUT_SECONDS),
    EXPORT_STALE_SECONDS: "5",
    WORKER_CONCURRENCY: "2",
  });

  beforeAll(async () => {
    admin = await createDb({ databaseUrl: serverUrl!, dataDir: null, poolMax: 1 });
    databaseName = `pictograph_worker_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
    await executeSqlText(admin.db, `CREATE DATABASE "${databaseName}"`);
    const url = new URL(serverUrl!);
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
    runMigrate(databaseUrl);

    handle = await createDb({ databaseUrl, dataDir: null, poolMax: 4 });
    db = handle.db;
    jobs = await createJobs({ handle, expireInSeconds: EXPORT_TIMEOUT_SECONDS });
    dir = await mkdtemp(join(tmpdir(), "pictograph-worker-storage-"));
    storage = createLocalBlobStore({ dir });
    small = await storeDataset(db, storage, { name: "small" });
    big = await storeDataset(db, storage, {
      name: "big",
      workspaceId: small.workspaceId,
      images: generatedImages(BIG),
      classes: generatedClasses,
      shareIdenticalFiles: true,
    });
    workers.push(
      ...(await Promise.all(
        ["worker-a", "worker-b"].map((id) => startWorkerProcess(id, workerEnv())),
      )),
    );
  });

  afterAll(async () => {
    await Promise.all(workers.map(stopWorkerProcess));
    await jobs?.stop({ timeoutMs: 2_000 });
    await handle?.close();
    if (databaseName)
      await executeSqlText(admin.db, `DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    await admin?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // A failure is explained by what the workers printed.
  afterEach(({ task }) => {
    if (task.result?.state === "fail")
      for (const w of workers) console.log(`--- ${w.id}\n${w.output()}`);
  });

  /** Creates the row and queues its build in one transaction, as the API does. */
  async function queueExport(
    dataset: StoredDataset,
    options: { format: Format; includeImages: boolean },
  ) {
    return db.transaction(async (tx: DbOrTx) => {
      const row = await createExportRow(tx, dataset, { ...options, statusFilter: "all" });
      const jobId = await jobs.enqueue(tx, queues.exportBuild, { exportId: row.id });
      return { ...row, jobId };
    });
  }

  const rowOf = async (id: string) => (await getExportById(db, { exportId: id }))!;
  const buildJobsUnfinished = async () => {
    const { rows } = await executeSqlText(
      db,
      "SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state < 'completed'",
      [queues.exportBuild.name],
    );
    return Number(rows[0]!.n);
  };
  const completionsOf = (id: string) =>
    workers
      .flatMap((w) => w.output().split("\n"))
      .filter((line) => line.includes(`export ${id}: completed`)).length;

  it("builds every export exactly once across two workers, even when its job is queued twice", async () => {
    const created: Array<{ id: string }> = [];
    for (let i = 0; i < 21; i++)
      created.push(
        await queueExport(small, {
          format: FORMATS[i % FORMATS.length]!,
          includeImages: i % 2 === 0,
        }),
      );
    // A duplicated message: a second job for some exports, which the two workers may take at once.
    for (const row of created.slice(0, 7))
      await jobs.enqueue(db, queues.exportBuild, { exportId: row.id });

    await waitFor(
      "every export to complete",
      async () =>
        (await Promise.all(created.map((r) => rowOf(r.id)))).every((r) => r.status === "completed"),
      90_000,
    );
    await waitFor(
      "every build job to finish",
      async () => (await buildJobsUnfinished()) === 0,
      60_000,
    );

    const rows = await Promise.all(created.map((r) => rowOf(r.id)));
    // `attempts` counts claims of the row: one each, so no export was ever built twice.
    expect(rows.map((r) => r.attempts)).toEqual(rows.map(() => 1));
    for (const row of rows) expect(completionsOf(row.id), row.id).toBe(1);
    expect(new Set(rows.map((r) => r.workerId))).toEqual(new Set(["worker-a", "worker-b"]));
    expect(await listKeys(storage, "exports/")).toEqual(rows.map((r) => r.blobKey).sort());
  });

  it("finishes on the other worker, leaving nothing behind, when the building worker is SIGKILLed", async () => {
    const created = await queueExport(big, { format: "pictograph", includeImages: true });
    const building = await waitFor("a worker to be building it", async () => {
      const row = await rowOf(created.id);
      return row.status === "processing" && row.progress > 0 && row;
    });
    const victim = workers.find((w) => w.id === building.workerId)!;
    const survivor = workers.find((w) => w !== victim)!;
    victim.child.kill("SIGKILL");
    await victim.exited;
    workers.splice(workers.indexOf(victim), 1);
    // The killed writer's half-written ZIP is still in the store's temp directory.
    expect((await readdir(join(dir, ".tmp"))).length).toBeGreaterThan(0);
    expect(await rowOf(created.id)).toMatchObject({ status: "processing", workerId: victim.id });

    // pg-boss's maintenance (every 2 minutes, in whichever process gets there first) fails the
    // job once its time limit has passed; run it now rather than wait for it.
    await waitFor(
      "the job to expire",
      async () => {
        await jobs.boss.expire();
        return (
          (await jobs.boss.getJobById(queues.exportBuild.name, created.jobId))?.state === "retry"
        );
      },
      60_000,
    );

    const done = await waitFor(
      "the retry to complete",
      async () => {
        const row = await rowOf(created.id);
        return row.status === "completed" && row;
      },
      90_000,
    );
    expect(done).toMatchObject({
      attempts: 2,
      workerId: survivor.id,
      imageCount: BIG,
      blobKey: `exports/${created.id}/2.zip`,
    });
    expect(await listKeys(storage, `exports/${created.id}/`)).toEqual([
      `exports/${created.id}/2.zip`,
    ]);
    const zip = await downloadZip(storage, done.blobKey!);
    expect(zip.sha256).toBe(done.sha256);
    await zip.close();
    // The survivor removes the temp file once it is older than an attempt's time limit.
    await waitFor(
      "the temp file to be removed",
      async () => (await readdir(join(dir, ".tmp"))).length === 0,
      40_000,
    );
    expect(survivor.output()).toMatch(/removed 1 temporary upload left by a crashed writer/);
  });

  it("lets a running build finish on SIGTERM, takes no new job, then exits", async () => {
    const [worker] = workers;
    const created = await queueExport(big, { format: "coco", includeImages: true });
    // Claimed is enough: this build can finish before its first progress save (1 s), and
    // the test polls every 50 ms, so the signal still lands while it runs.
    await waitFor(
      "the worker to be building it",
      async () => (await rowOf(created.id)).status === "processing",
    );
    worker!.child.kill("SIGTERM");
    // Queued once the worker has taken the signal in: a job it fetched just before that is
    // one it had already taken, and runs to the end.
    await waitFor("the worker to take the signal in", async () =>
      worker!.output().includes("SIGTERM: finishing running jobs"),
    );
    const later = await queueExport(small, { format: "csv", includeImages: false });
    const code = await worker!.exited;
    const exitedAt = Date.now();
    workers.splice(0, 1);

    expect(code).toBe(0);
    const finished = await rowOf(created.id);
    expect(finished).toMatchObject({
      status: "completed",
      attempts: 1,
      workerId: worker!.id,
      imageCount: BIG,
    });
    expect(finished.completedAt!.getTime()).toBeLessThanOrEqual(exitedAt);
    expect(await rowOf(later.id)).toMatchObject({ status: "pending", attempts: 0 });
    // In that order: the signal arrived while the build was running, and it finished anyway.
    const output = worker!.output();
    const signalled = output.indexOf("SIGTERM: finishing running jobs");
    const completed = output.indexOf(`export ${created.id}: completed`);
    expect(signalled).toBeGreaterThan(-1);
    expect(completed).toBeGreaterThan(signalled);
    expect(output.indexOf("stopped", completed)).toBeGreaterThan(completed);
  });
});
