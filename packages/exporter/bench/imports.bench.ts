// The imports benchmark: a COCO annotation-only ZIP of generated images × 10 boxes (written by
// @pictograph/formats' own COCO writer and ZIP writer from the formats benchmark's dataset),
// imported by the real worker (apps/worker in a child process of its own, running
// src/run-import.ts on the import.run queue) into a fresh dataset on real PostgreSQL, timed
// from create (import row + job in one transaction, as the API's upload route does) to the
// row reading `completed`. At 10k images (≥ 5 runs) and 100k (fewer: stated), so the worker's
// peak RSS can be compared. Floors in the same run: psql's COPY FROM of the same rows into the
// same tables, and the importer's reader alone over the same ZIP. Works in a database of its
// own (dropped at the end, failed or not) and a temporary directory; it never touches anything
// else. Writes bench/results/imports.json at the repository root.
// Run by `pnpm bench imports` or `cd packages/exporter && npx tsx bench/imports.bench.ts`.
// Options (`--name=value`): --quick (10k and 1k images, few runs: a smoke test),
// --small-runs, --big-runs, --read-runs, --copy-runs.
import { createDataset, createWorkspace, deleteDataset, executeSqlText } from "@pictograph/db";
import { getFormat, writeExportZip } from "@pictograph/formats";
import { createJobs, type Jobs } from "@pictograph/jobs";
import { createLocalBlobStore } from "@pictograph/storage";
import { randomUUID } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { benchClasses, benchSource, BOXES_PER_IMAGE } from "../../formats/bench/bench-dataset";
import { createBenchDatabase, type BenchDatabase } from "./bench-database";
import {
  timeCopyFrom,
  timeReadAlone,
  writeCopyFloorFiles,
  type CopyFloorFiles,
  type ReadFloor,
} from "./import-floors";
import { timeImport, type TimedImport } from "./timed-import";
import { startBundledWorker, type WorkerProcess } from "./worker-process";
import { benchLog, median, n, option, quick, round, yes } from "../../../scripts/bench-support";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const resultsDir = join(root, "bench", "results");

const FORMAT = "coco";
const BIG = quick ? 10_000 : 100_000;
const SMALL = quick ? 1_000 : 10_000;
const SMALL_RUNS = option("--small-runs", quick ? 2 : 5);
/** A 100k import takes a minute or more on the shared 2-core machine this was written on. */
const BIG_RUNS = option("--big-runs", quick ? 1 : 5);
const READ_RUNS = option("--read-runs", quick ? 2 : 5);
const COPY_RUNS = option("--copy-runs", quick ? 2 : 5);
const MTIME = new Date("2026-01-02T03:04:05Z");

const TARGET_PEAK_RSS_MB = 300;
/** "Flat": peak RSS at the big size no more than this above the small. */
const FLAT_RSS_DELTA_MB = 50;

type ImportRun = TimedImport & {
  workerCpuMs: number;
  peakRssMB: number;
  idleRssMB: number;
  /** The worker's highest VmRSS (MB) in each tenth of create → completed. */
  rssByTenth: number[];
};
type ImportSummary = {
  images: number;
  annotations: number;
  zipMB: number;
  runs: number;
  wallMs: number;
  imagesPerSecond: number;
  boxesPerSecond: number;
  pickupMs: number;
  runMs: number;
  runImagesPerSecond: number;
  workerCpuMs: number;
  imagesPerCpuSecond: number;
  peakRssMB: number;
  idleRssMB: number;
  samples: ImportRun[];
};
type FloorSummary = {
  runs: number;
  medianMs: number;
  imagesPerSecond: number;
  boxesPerSecond: number;
};

const log = benchLog("imports");

/** The highest value of each tenth of `totalMs` from [ms, value] samples (NaN for an empty tenth). */
function highestByTenth(samples: Array<[number, number]>, totalMs: number): number[] {
  const tenths = Array.from({ length: 10 }, () => NaN);
  for (const [ms, value] of samples) {
    const tenth = Math.min(9, Math.floor((ms / totalMs) * 10));
    tenths[tenth] = Number.isNaN(tenths[tenth]!) ? value : Math.max(tenths[tenth]!, value);
  }
  return tenths;
}

/** The archive a user would upload: COCO annotation-only, written by our own writer. */
async function writeArchive(dir: string, images: number): Promise<string> {
  const path = join(dir, `coco-${images}.zip`);
  const zip = writeExportZip(getFormat(FORMAT).write, benchSource(images, FORMAT), {
    mtime: MTIME,
  });
  await pipeline(zip.stream, createWriteStream(path));
  await zip.done;
  return path;
}

function summarize(images: number, zipPath: string, runs: ImportRun[]): ImportSummary {
  const wallMs = median(runs.map((r) => r.wallMs));
  const runMs = median(runs.map((r) => r.runMs));
  const workerCpuMs = median(runs.map((r) => r.workerCpuMs));
  const annotations = runs[0]!.annotations;
  return {
    images,
    annotations,
    zipMB: round(statSync(zipPath).size / 1e6, 1),
    runs: runs.length,
    wallMs: round(wallMs),
    imagesPerSecond: round((images / wallMs) * 1000),
    boxesPerSecond: round((annotations / wallMs) * 1000),
    pickupMs: round(median(runs.map((r) => r.pickupMs))),
    runMs: round(runMs),
    runImagesPerSecond: round((images / runMs) * 1000),
    workerCpuMs: round(workerCpuMs),
    imagesPerCpuSecond: round((images / workerCpuMs) * 1000),
    peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)),
    idleRssMB: round(median(runs.map((r) => r.idleRssMB))),
    samples: runs.map((r) => ({
      ...r,
      wallMs: round(r.wallMs),
      workerCpuMs: round(r.workerCpuMs),
    })),
  };
}

function floorSummary(images: number, boxes: number, runsMs: number[]): FloorSummary {
  const ms = median(runsMs);
  return {
    runs: runsMs.length,
    medianMs: round(ms),
    imagesPerSecond: round((images / ms) * 1000),
    boxesPerSecond: round((boxes / ms) * 1000),
  };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = loadavg();
  const notes: string[] = [];
  const adminUrl =
    process.env.BENCH_DATABASE_URL ||
    process.env.TEST_DATABASE_URL ||
    "postgres://postgres@127.0.0.1:5432/postgres";
  const scratch = mkdtempSync(join(tmpdir(), "pictograph-bench-imports-"));
  const storeDir = join(scratch, "store");
  const storage = createLocalBlobStore({ dir: storeDir });
  const running = new Set<WorkerProcess>();
  let database: BenchDatabase | null = null;
  let jobs: Jobs | null = null;

  // Ctrl-C or the runner being stopped: leave no worker, database or files behind.
  const abandon = () => {
    for (const worker of running) worker.kill();
    database?.dropNow();
    rmSync(scratch, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("SIGINT", abandon);
  process.once("SIGTERM", abandon);

  try {
    log(`database on ${new URL(adminUrl).host}, files in ${scratch}`);
    database = await createBenchDatabase(adminUrl);
    const db = database.handle.db;
    jobs = await createJobs({ handle: database.handle });
    const workspaceId = (await createWorkspace(db, { name: "bench" })).id;

    const archives = new Map<number, string>();
    for (const images of [SMALL, BIG]) {
      log(`writing the COCO archive of ${n(images)} images × ${BOXES_PER_IMAGE} boxes`);
      archives.set(images, await writeArchive(scratch, images));
    }

    // The real import path, a fresh worker per run so its peak RSS is that import's.
    let importNumber = 0;
    const importOnce = async (images: number): Promise<ImportRun> => {
      const datasetName = `import-${++importNumber}`;
      const datasetId = (await createDataset(db, { workspaceId, name: datasetName })).id;
      const blobKey = `imports/${datasetId}/${randomUUID()}.zip`;
      await storage.put(blobKey, createReadStream(archives.get(images)!), {
        contentType: "application/zip",
      });
      const worker = await startBundledWorker({ databaseUrl: database!.url, storageDir: storeDir });
      running.add(worker);
      try {
        // Start-up work settles first; then a random moment of the polling cycle.
        await sleep(500 + Math.random() * 1000);
        const idleRssMB = worker.rssMB();
        const cpuBefore = worker.cpuMs();
        const timeline: Array<[number, number]> = [];
        const timed = await timeImport({
          db,
          jobs: jobs!,
          workspaceId,
          datasetId,
          format: FORMAT,
          blobKey,
          onPoll: (elapsedMs) => {
            // A worker that died (out of memory, say) leaves the row `processing`: stop here.
            try {
              process.kill(worker.pid, 0);
            } catch {
              throw new Error(
                `the worker exited during the import:\n${worker.output().slice(-2000)}`,
              );
            }
            const last = timeline.at(-1);
            if (!last || elapsedMs - last[0] >= 250)
              timeline.push([round(elapsedMs), worker.rssMB()]);
          },
        });
        return {
          ...timed,
          workerCpuMs: worker.cpuMs() - cpuBefore,
          peakRssMB: worker.peakRssMB(),
          idleRssMB,
          rssByTenth: highestByTenth(timeline, timed.wallMs),
        };
      } finally {
        await worker.stop();
        running.delete(worker);
        // Untimed: the next run starts from tables of the same size.
        await deleteDataset(db, { workspaceId, name: datasetName });
        await executeSqlText(db, "VACUUM images, annotations");
      }
    };

    const summaries: ImportSummary[] = [];
    for (const [images, runs] of [
      [SMALL, SMALL_RUNS],
      [BIG, BIG_RUNS],
    ] as const) {
      const done: ImportRun[] = [];
      try {
        for (let r = 0; r < runs; r++) {
          log(`import of ${n(images)} images, run ${r + 1} of ${runs}`);
          done.push(await importOnce(images));
          const last = done.at(-1)!;
          log(
            `${round(last.wallMs)} ms (run ${last.runMs} ms), ${n(last.images)} images / ${n(last.annotations)} boxes, peak RSS ${last.peakRssMB} MB`,
          );
          if (last.images !== images || last.annotations !== images * BOXES_PER_IMAGE)
            notes.push(
              `an import of ${n(images)} images reported ${n(last.images)} images and ${n(last.annotations)} boxes (expected ${n(images * BOXES_PER_IMAGE)})`,
            );
          if (last.problems)
            notes.push(`an import of ${n(images)} images reported ${last.problems} problems`);
        }
        summaries.push(summarize(images, archives.get(images)!, done));
      } catch (error) {
        notes.push(
          `import of ${n(images)} images failed: ${(error as Error).message.split("\n")[0]}`,
        );
        log((error as Error).message);
      }
    }

    // Floors: the reader alone over the same ZIP, and COPY FROM of the same rows.
    const reads = new Map<number, ReadFloor[]>();
    const copies = new Map<number, number[]>();
    const copyFiles = new Map<number, CopyFloorFiles>();
    for (const images of [SMALL, BIG]) {
      const readRuns: ReadFloor[] = [];
      for (let r = 0; r < READ_RUNS; r++) {
        log(`read floor: ${n(images)} images, run ${r + 1} of ${READ_RUNS}`);
        readRuns.push(timeReadAlone(archives.get(images)!, FORMAT));
      }
      reads.set(images, readRuns);
      const files = await writeCopyFloorFiles(scratch, images, benchClasses);
      copyFiles.set(images, files);
      const copyRuns: number[] = [];
      for (let r = 0; r < COPY_RUNS; r++) {
        log(`COPY floor: ${n(images)} images, run ${r + 1} of ${COPY_RUNS}`);
        copyRuns.push(timeCopyFrom(database.url, workspaceId, files, benchClasses));
      }
      copies.set(images, copyRuns);
    }
    const readOf = (images: number) => {
      const runs = reads.get(images) ?? [];
      if (!runs.length) return null;
      return {
        ...floorSummary(
          images,
          runs[0]!.annotations,
          runs.map((r) => r.ms),
        ),
        cpuMs: round(median(runs.map((r) => r.cpuMs))),
        peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)),
        imagesRead: runs[0]!.images,
      };
    };
    const copyOf = (images: number) => {
      const runs = copies.get(images) ?? [];
      return runs.length ? floorSummary(images, copyFiles.get(images)!.annotations, runs) : null;
    };
    const readSmall = readOf(SMALL);
    const readBig = readOf(BIG);
    const copySmall = copyOf(SMALL);
    const copyBig = copyOf(BIG);
    for (const [images, read] of [
      [SMALL, readSmall],
      [BIG, readBig],
    ] as const)
      if (read && read.imagesRead !== images)
        notes.push(`the reader alone yielded ${n(read.imagesRead)} of ${n(images)} images`);

    const small = summaries.find((s) => s.images === SMALL);
    const big = summaries.find((s) => s.images === BIG);
    const rssDelta = small && big ? big.peakRssMB - small.peakRssMB : null;
    const bigOverCopy = big && copyBig ? round(big.wallMs / copyBig.medianMs, 2) : null;
    const bigRunOverCopy = big && copyBig ? round(big.runMs / copyBig.medianMs, 2) : null;

    const machine = {
      cpu: `${cpus()[0]?.model ?? "unknown"} × ${cpus().length}`,
      memoryGB: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      postgres: String(
        (await executeSqlText(db, "SHOW server_version")).rows[0]?.server_version ?? "?",
      ),
      loadBefore: loadBefore.map((l) => round(l, 2)),
      loadAfter: loadavg().map((l) => round(l, 2)),
    };

    const lines = [
      `Imports run by the real worker (\`apps/worker/dist/main.mjs\`, the bundle compose and the Dockerfile run, on plain node in a child process, \`WORKER_CONCURRENCY=1\`, local storage; it runs \`src/run-import.ts\` on the import.run queue) into a fresh dataset on PostgreSQL ${machine.postgres}. The upload is a COCO annotation-only ZIP of generated images × ${BOXES_PER_IMAGE} boxes written by @pictograph/formats' own COCO and ZIP writers; it is put in storage first (untimed, as the upload route would leave it), then the clock runs from create (import row + pg-boss job in one transaction, as the API does) until a poll of the row (every 25 ms) reads \`completed\`. *Pickup* is created_at → started_at, *import* is started_at → completed_at. Each run gets a fresh worker, so *peak RSS* is that worker's VmHWM (start-up included) and *idle RSS* its VmRSS just before the import; worker CPU is its user + system time during the import (the database server's CPU is not in it). Each run's dataset is deleted and the tables vacuumed afterwards (untimed). Medians of ${SMALL_RUNS} run(s) at ${n(SMALL)} images and ${BIG_RUNS} at ${n(BIG)} ${quick ? "(`--quick`: a smoke test, not a measurement)" : `(a ${n(BIG)}-image import takes minutes on this machine)`}.`,
      "",
      "| images | boxes | ZIP MB | runs | create→completed ms | images/s | boxes/s | pickup ms | import ms | worker CPU ms | images per worker CPU-s | peak RSS MB | idle RSS MB |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...summaries.map(
        (s) =>
          `| ${n(s.images)} | ${n(s.annotations)} | ${s.zipMB} | ${s.runs} | ${n(s.wallMs)} | ${n(s.imagesPerSecond)} | ${n(s.boxesPerSecond)} | ${n(s.pickupMs)} | ${n(s.runMs)} | ${n(s.workerCpuMs)} | ${n(s.imagesPerCpuSecond)} | ${s.peakRssMB} | ${s.idleRssMB} |`,
      ),
      "",
      big
        ? `Worker RSS through each ${n(BIG)}-image run (MB, highest in each tenth of create → completed): ${big.samples.map((r) => r.rssByTenth.map((v) => n(v)).join(" ")).join("; ")}.`
        : "",
      "",
      "Floors, same run:",
      "",
      "| floor | images | runs | median ms | images/s | boxes/s |",
      "|---|---:|---:|---:|---:|---:|",
      ...(
        [
          [SMALL, copySmall],
          [BIG, copyBig],
        ] as const
      ).map(([images, c]) =>
        c
          ? `| psql \`\\copy images … FROM\` then \`\\copy annotations … FROM\` of the same rows (TSV prepared beforehand) into the same tables, indexes and constraints | ${n(images)} | ${c.runs} | ${n(c.medianMs)} | ${n(c.imagesPerSecond)} | ${n(c.boxesPerSecond)} |`
          : `| COPY FROM at ${n(images)} | ${n(images)} | – | – | not measured | |`,
      ),
      ...(
        [
          [SMALL, readSmall],
          [BIG, readBig],
        ] as const
      ).map(([images, r]) =>
        r
          ? `| the importer's reader alone: \`openZipArchive\` + one pass of the COCO reader over every image, nothing written (own process; peak RSS ${r.peakRssMB} MB, CPU ${n(r.cpuMs)} ms) | ${n(images)} | ${r.runs} | ${n(r.medianMs)} | ${n(r.imagesPerSecond)} | ${n(r.boxesPerSecond)} |`
          : `| reader alone at ${n(images)} | ${n(images)} | – | – | not measured | |`,
      ),
      "",
      "The import reads a COCO archive once: the reader says how many images to expect, for progress (readers that cannot count first get a separate counting pass). The COCO reader itself passes over its JSON twice (tables first, then annotations grouped per image), so the reader-alone floor includes both.",
      "",
      "Targets:",
      "",
      "| target | measured | met |",
      "|---|---|---|",
      small && big
        ? `| worker peak RSS < ${TARGET_PEAK_RSS_MB} MB, the same at ${n(SMALL)} and ${n(BIG)} images (≤ ${FLAT_RSS_DELTA_MB} MB apart) | ${small.peakRssMB} → ${big.peakRssMB} MB (${rssDelta! >= 0 ? "+" : ""}${rssDelta}) | ${yes(Math.max(small.peakRssMB, big.peakRssMB) < TARGET_PEAK_RSS_MB)}, ${rssDelta! <= FLAT_RSS_DELTA_MB ? "flat" : "**not flat**"} |`
        : "| peak RSS flat | not measured | – |",
      big && copyBig
        ? `| ${n(BIG)}-image import against the COPY FROM floor (informational) | ${bigOverCopy}× (${n(big.wallMs)} / ${n(copyBig.medianMs)} ms); import alone ${bigRunOverCopy}× | – |`
        : "| import against COPY | not measured | – |",
      ...(notes.length ? ["", "Notes:", "", ...notes.map((note) => `- ${note}`)] : []),
      "",
      `Load average (1/5/15 min) before ${machine.loadBefore.join(" / ")}, after ${machine.loadAfter.join(" / ")} on ${cpus().length} cores: the machine is shared, so wall times are pessimistic; worker CPU time moves least with load.`,
    ];
    const markdown = lines.join("\n");
    const result = {
      name: "imports",
      title: "Imports: upload → completed through the worker on PostgreSQL",
      date: startedAt.toISOString(),
      machine,
      config: {
        format: FORMAT,
        big: BIG,
        small: SMALL,
        boxesPerImage: BOXES_PER_IMAGE,
        smallRuns: SMALL_RUNS,
        bigRuns: BIG_RUNS,
        readRuns: READ_RUNS,
        copyRuns: COPY_RUNS,
        quick,
      },
      imports: summaries,
      floors: {
        copySmall,
        copyBig,
        readSmall,
        readBig,
        copyRunsMs: Object.fromEntries([...copies].map(([k, v]) => [k, v.map((ms) => round(ms))])),
        readRunsMs: Object.fromEntries([...reads].map(([k, v]) => [k, v.map((r) => round(r.ms))])),
      },
      targets: { peakRssDeltaMB: rssDelta, bigOverCopy, bigRunOverCopy },
      notes,
      markdown,
    };
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, "imports.json"), JSON.stringify(result, null, 2) + "\n");
    process.stdout.write(`\n## ${result.title}\n\n${markdown}\n`);
  } finally {
    for (const worker of running) await worker.stop();
    await jobs?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
    await database
      ?.drop()
      .catch((error: Error) => log(`could not drop ${database?.name}: ${error.message}`));
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
