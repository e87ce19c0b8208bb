// SIGKILL at random moments: exports of every format, with and without images, built by three
// real worker processes (`node --import tsx src/main.ts`, as docker-compose.yml runs them) on
// PostgreSQL while a loop SIGKILLs a random worker every 0.3–1.5 s and starts a replacement.
// Every export completes; no row is left `processing`; storage holds exactly one whole ZIP
// per export (Info-ZIP's unzip reads it, its SHA-256 is the row's) once garbage collection has
// run, and no temp file is left once the workers have swept. An export survives up to 3 dead
// builders (the 4th fails it for good, see start-workers.test.ts), so the loop spares a worker
// whose build is on its 4th.
import { collectGarbage } from "@pictograph/exporter";
import { FORMATS } from "@pictograph/schema";
import { createLocalBlobStore, type LocalBlobStore } from "@pictograph/storage";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FULL } from "./env";
import { recordFigures } from "./figures";
import {
  countProcessing,
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

const EXPORTS = FULL ? 60 : 20;
const IMAGES = 4_000;
const WORKERS = 3;
// A kill is noticed after 2 s without a heartbeat; temp files older than an attempt's time
// limit (EXPORT_TIMEOUT_SECONDS) are swept.
const STALE_SECONDS = 2;
const TIMEOUT_SECONDS = 60;
const MAX_ATTEMPTS = 4;

describe("SIGKILL of worker processes during exports", () => {
  let scratch: Scratch;
  let dir: string;
  let storage: LocalBlobStore;
  const workers: WorkerProcess[] = [];
  let started = 0;

  const startWorker = async () => {
    const worker = await startWorkerProcess(`w${++started}`, {
      DATABASE_URL: scratch.database.url,
      STORAGE_DIR: dir,
      WORKER_CONCURRENCY: "2",
      EXPORT_STALE_SECONDS: String(STALE_SECONDS),
      EXPORT_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
    });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    scratch = await openScratch("reliability_kills", { expireInSeconds: TIMEOUT_SECONDS });
    dir = await mkdtemp(join(tmpdir(), "pictograph-kills-"));
    storage = createLocalBlobStore({ dir });
    await Promise.all(Array.from({ length: WORKERS }, startWorker));
  });

  afterAll(async () => {
    await Promise.all(workers.map(stopWorkerProcess));
    await scratch?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`completes all ${EXPORTS} exports, leaving no partial object and no row in processing`, async () => {
    const dataset = await storeDataset(scratch.db, storage, {
      name: "kills",
      images: generatedImages(IMAGES),
      classes: generatedClasses,
      shareIdenticalFiles: true,
    });
    const ids: string[] = [];
    for (let n = 0; n < EXPORTS; n++) {
      const format = FORMATS[n % FORMATS.length]!;
      ids.push((await queueExport(scratch, dataset, { format, includeImages: n % 3 === 0 })).id);
    }

    let kills = 0;
    let killsMidBuild = 0;
    let spared = 0;
    let finished = false;
    const replacements: Promise<WorkerProcess>[] = [];
    const chaos = (async () => {
      while (!finished) {
        await sleep(300 + Math.random() * 1_200);
        const alive = workers.filter(
          (w) => w.child.exitCode === null && w.child.signalCode === null,
        );
        if (finished || alive.length === 0) continue;
        const victim = alive[Math.floor(Math.random() * alive.length)]!;
        const building = (await rowsOf(scratch.db, ids)).filter(
          (r) => r.status === "processing" && r.workerId === victim.id,
        );
        if (building.some((r) => r.attempts >= MAX_ATTEMPTS)) {
          spared++;
          continue;
        }
        victim.child.kill("SIGKILL");
        await victim.exited;
        workers.splice(workers.indexOf(victim), 1);
        kills++;
        if (building.length) killsMidBuild++;
        // The replacement starts in the background: the next kill does not wait for it.
        replacements.push(startWorker());
      }
      await Promise.all(replacements);
    })();

    const started = Date.now();
    await waitFor(
      `all ${EXPORTS} exports to end`,
      async () =>
        (await rowsOf(scratch.db, ids)).every(
          (r) => r.status === "completed" || r.status === "failed",
        ),
      FULL ? 1_200_000 : 400_000,
    );
    finished = true;
    await chaos;
    const seconds = (Date.now() - started) / 1000;
    const rows = await rowsOf(scratch.db, ids);

    expect(
      rows
        .filter((r) => r.status !== "completed")
        .map((r) => `${r.id}: ${r.status} ${r.errorMessage}`),
    ).toEqual([]);
    expect(await countProcessing(scratch.db)).toBe(0);
    // A builder killed between storing its ZIP and publishing it, or a winner killed between
    // publishing and removing the loser's ZIP, leaves a whole but unnamed ZIP: the hourly
    // garbage collection takes it. Run now, with no grace period: every export has ended.
    const { orphans } = await collectGarbage({ db: scratch.db, storage }, { graceMs: 0 });
    await expectOnlyWholeZips(storage, rows);
    // Half-written ZIPs of killed builders sit in the store's temp folder until a live worker
    // sweeps them (older than an attempt's time limit).
    const temp = join(dir, ".tmp");
    const leftAtEnd = (await readdir(temp).catch(() => [])).length;
    await waitFor(
      "the workers to sweep the temp files of killed builders",
      async () => (await readdir(temp).catch(() => [])).length === 0,
      (TIMEOUT_SECONDS * 3 + 10) * 1000,
    );

    const attempts = rows.map((r) => r.attempts);
    expect(kills).toBeGreaterThan(0);
    expect(killsMidBuild).toBeGreaterThan(0);
    recordFigures("worker-kills", {
      exports: EXPORTS,
      SIGKILLs: kills,
      "of them mid-build": killsMidBuild,
      "kills spared (build on its last attempt)": spared,
      "exports built more than once": attempts.filter((a) => a > 1).length,
      "most attempts of one export": Math.max(...attempts),
      "temp files of killed builders swept": leftAtEnd,
      "unpublished ZIPs left for garbage collection": orphans,
      "seconds to finish all": Math.round(seconds),
      "rows left processing": 0,
    });
  });
});
