// The API benchmark: 50 concurrent clients, each sending one request at a time for 60 s, mixing
// export create (a small annotation-only export of a 20-image dataset, every name unique),
// list, get and download (the signed URL from the download endpoint, then a GET of the ZIP
// read to its end), over real HTTP with the global fetch. Against two targets: `pnpm start`'s
// embedded mode (tooling/test-server) and docker-compose.yml's migrate, web and three workers
// as plain processes (tooling/self-hosting) on local PostgreSQL (a database of its own,
// dropped after) and s3rver. Floors in the same run: GET /api/health on each target under the
// same clients, and a bare node:http server. Never touches a database or directory it did not
// create. Writes bench/results/api.json at the repository root.
// Run by `pnpm bench api` or `cd apps/web && npx tsx bench/api.bench.ts`.
// Options (`--name=value`): --quick (10 s of load, 5 s floors, 30 s drain: a smoke test),
// --runs, --seconds, --clients, --floor-seconds, --drain-seconds, --targets=embedded,compose.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  DATASET,
  DATASET_IMAGES,
  BOXES_PER_IMAGE,
  exportNamesWithStatus,
  prepareDataset,
  SEED_EXPORTS,
} from "./api-dataset";
import {
  COMPOSE_WORKERS,
  startBareHttpServer,
  startComposeTarget,
  startEmbeddedTarget,
  type Target,
} from "./api-targets";
import {
  EXPORT_MIX,
  runExportLoad,
  runTrivialLoad,
  type LoadResult,
  type Operation,
} from "./load-run";
import { treeCpuMs } from "./process-tree";
import {
  benchLog,
  median,
  n,
  option,
  optionText,
  quick,
  round,
  yes,
} from "../../../scripts/bench-support";

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, "..", "..", "..", "bench", "results");

const SECONDS = option("--seconds", quick ? 10 : 60);
/** Runs per target (and of each floor), each on a freshly started target; figures are medians. */
const RUNS = option("--runs", quick ? 1 : 5);
const CLIENTS = option("--clients", 50);
const FLOOR_SECONDS = option("--floor-seconds", quick ? 5 : 15);
/** After the load: how long the created exports get to finish before the count is final. */
const DRAIN_SECONDS = option("--drain-seconds", quick ? 30 : 180);
const TARGETS = (optionText("--targets") ?? "embedded,compose").split(",").filter(Boolean);
for (const t of TARGETS)
  if (t !== "embedded" && t !== "compose") throw new Error(`--targets: unknown target ${t}`);

const OPERATIONS: Operation[] = ["create", "list", "get", "download", "zip"];

/** One run: a fresh target, its dataset prepared, then the load and the health floor. */
type RunResult = {
  load: LoadResult;
  /** CPU of the server's processes (web, workers) during the load window. */
  serverCpuMs: number;
  created: number;
  completedAtEnd: number;
  health: LoadResult;
};

type TargetResult = {
  target: string;
  label: string;
  runs: RunResult[];
  /** The median run's figures, operation by operation (see medianLoad). */
  load: LoadResult;
  health: LoadResult;
  serverCpuMs: number;
  /** Of the last run: its exports, and how the backlog it left behind drained. */
  created: number;
  completedAtEnd: number;
  completedAfterDrain: number;
  failed: number;
  /** Seconds after the load ended until every created export was completed or failed. */
  drainSeconds: number | null;
};

const log = benchLog("api");

async function loadOnce(name: string, target: Target, run: number): Promise<RunResult> {
  log(
    `${name} run ${run}: preparing ${DATASET} (${DATASET_IMAGES} images, ${SEED_EXPORTS} seed exports)`,
  );
  const seeds = await prepareDataset(target.baseUrl, target.apiKey);
  await sleep(2_000); // let the seed builds' aftermath settle
  log(`${name} run ${run}: ${CLIENTS} clients for ${SECONDS} s`);
  const cpuBefore = treeCpuMs(target.serverPids());
  const load = await runExportLoad({
    baseUrl: target.baseUrl,
    apiKey: target.apiKey,
    dataset: DATASET,
    seedExports: seeds,
    clients: CLIENTS,
    seconds: SECONDS,
    runId: `r${randomBytes(3).toString("hex")}`,
  });
  const serverCpuMs = round(treeCpuMs(target.serverPids()) - cpuBefore);
  const created = new Set(load.created);
  const completedAtEnd = countCreated(
    created,
    await exportNamesWithStatus(target.baseUrl, target.apiKey, "completed"),
  );
  log(
    `${name} run ${run}: ${n(load.requests)} requests (${n(load.requestsPerSecond)}/s), ${load.errors} errors; ${completedAtEnd} of ${created.size} created exports completed`,
  );
  for (const sample of load.errorSamples) log(`${name}: error: ${sample}`);
  log(`${name} run ${run}: floor, GET /api/health × ${CLIENTS} clients for ${FLOOR_SECONDS} s`);
  const health = await runTrivialLoad({
    url: `${target.baseUrl}/api/health`,
    clients: CLIENTS,
    seconds: FLOOR_SECONDS,
  });
  for (const sample of health.errorSamples) log(`${name}: health error: ${sample}`);
  return { load, serverCpuMs, created: created.size, completedAtEnd, health };
}

const countCreated = (created: Set<string>, names: Set<string>) =>
  [...names].filter((name) => created.has(name)).length;

/** Every created export must finish; how long the backlog takes is reported, not hidden. */
async function drain(name: string, target: Target, createdNames: string[]) {
  const created = new Set(createdNames);
  const began = performance.now();
  for (;;) {
    const completed = countCreated(
      created,
      await exportNamesWithStatus(target.baseUrl, target.apiKey, "completed"),
    );
    const failed = countCreated(
      created,
      await exportNamesWithStatus(target.baseUrl, target.apiKey, "failed"),
    );
    const elapsed = (performance.now() - began) / 1000;
    const cleared = completed + failed >= created.size;
    if (cleared || elapsed > DRAIN_SECONDS) {
      const drainSeconds = cleared ? round(elapsed, 1) : null;
      log(
        `${name}: after ${drainSeconds ?? `${DRAIN_SECONDS}+`} s: ${completed} completed, ${failed} failed`,
      );
      return { completedAfterDrain: completed, failed, drainSeconds };
    }
    await sleep(1_000);
  }
}

/** Each run on a target of its own, started afresh, so every run begins from the same state;
 * the last one's backlog is drained before its target stops. */
async function measureTarget(
  name: string,
  start: () => Promise<Target>,
  active: Set<Target>,
): Promise<TargetResult> {
  const runs: RunResult[] = [];
  for (let run = 1; run <= RUNS; run++) {
    log(`${name} run ${run} of ${RUNS}: starting`);
    const target = await start();
    active.add(target);
    try {
      runs.push(await loadOnce(name, target, run));
      if (run === RUNS) {
        const last = runs.at(-1)!;
        const drained = await drain(name, target, last.load.created);
        return {
          target: name,
          label: target.label,
          runs,
          load: medianLoad(runs.map((r) => r.load)),
          health: medianLoad(runs.map((r) => r.health)),
          serverCpuMs: median(runs.map((r) => r.serverCpuMs)),
          created: last.created,
          completedAtEnd: last.completedAtEnd,
          ...drained,
        };
      }
    } catch (error) {
      throw Object.assign(error as Error, { output: target.output() });
    } finally {
      await target.stop().catch((error: Error) => log(`${name}: stop: ${error.message}`));
      active.delete(target);
    }
  }
  throw new Error("--runs must be at least 1");
}

/** Per operation, the median across runs of requests, rate, p50 and p99; the highest max;
 * errors summed over every run, since any error at all fails the target. */
function medianLoad(loads: LoadResult[]): LoadResult {
  const operations: LoadResult["operations"] = {};
  for (const op of [...OPERATIONS, "health"] as Operation[]) {
    const stats = loads.flatMap((load) => (load.operations[op] ? [load.operations[op]!] : []));
    if (stats.length === 0) continue;
    const mid = (pick: (s: (typeof stats)[number]) => number) => round(median(stats.map(pick)), 1);
    operations[op] = {
      requests: mid((s) => s.requests),
      errors: stats.reduce((sum, s) => sum + s.errors, 0),
      requestsPerSecond: mid((s) => s.requestsPerSecond),
      p50Ms: mid((s) => s.p50Ms),
      p99Ms: mid((s) => s.p99Ms),
      maxMs: Math.max(...stats.map((s) => s.maxMs)),
      bytes: mid((s) => s.bytes),
    };
  }
  return {
    clients: loads[0]!.clients,
    seconds: round(median(loads.map((l) => l.seconds)), 1),
    requests: round(median(loads.map((l) => l.requests)), 1),
    errors: loads.reduce((sum, l) => sum + l.errors, 0),
    requestsPerSecond: round(median(loads.map((l) => l.requestsPerSecond)), 1),
    operations,
    errorSamples: loads.flatMap((l) => l.errorSamples).slice(0, 5),
    created: [],
    clientCpuMs: round(median(loads.map((l) => l.clientCpuMs))),
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

  const bareRuns: LoadResult[] = [];
  for (let run = 1; run <= RUNS; run++) {
    log(
      `floor run ${run} of ${RUNS}: a bare node:http server, ${CLIENTS} clients for ${FLOOR_SECONDS} s`,
    );
    const bare = await startBareHttpServer();
    try {
      bareRuns.push(
        await runTrivialLoad({ url: bare.url, clients: CLIENTS, seconds: FLOOR_SECONDS }),
      );
    } finally {
      await bare.stop();
    }
  }
  const bareLoad = medianLoad(bareRuns);

  const results: TargetResult[] = [];
  const active = new Set<Target>();
  const abandon = () => {
    for (const target of active) void target.stop();
    process.exit(130);
  };
  process.once("SIGINT", abandon);
  process.once("SIGTERM", abandon);
  for (const name of TARGETS) {
    try {
      const start = name === "embedded" ? startEmbeddedTarget : () => startComposeTarget(adminUrl);
      results.push(await measureTarget(name, start, active));
    } catch (error) {
      const { message, output } = error as Error & { output?: string };
      notes.push(`${name}: could not be measured: ${message.split("\n")[0]}`);
      log(`${name} failed: ${message}${output ? `\n${output.slice(-4000)}` : ""}`);
    }
  }

  const machine = {
    cpu: `${cpus()[0]?.model ?? "unknown"} × ${cpus().length}`,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    loadBefore: loadBefore.map((l) => round(l, 2)),
    loadAfter: loadavg().map((l) => round(l, 2)),
  };
  const mix = EXPORT_MIX.map(([op, share]) => `${op} ${share * 100}%`).join(", ");
  const lines = [
    `${CLIENTS} concurrent clients, each sending one request at a time with no pause, for ${SECONDS} s per run, over HTTP with Node's global fetch (undici, keep-alive) from one load-generating process on the same machine. Each iteration picks ${mix}: *create* is a POST of an annotation-only export (formats in turn, each name unique) of a ${DATASET_IMAGES}-image dataset with ${BOXES_PER_IMAGE} boxes per image; *list* the workspace's newest 50 exports; *get* one export among all created so far; *download* asks for the signed URL of a completed one and *zip* is the GET of that URL (embedded: served by the web server from local storage; compose: presigned for s3rver, which serves it), its body read to the end and checked against the export's size. Every response body is read. Each target is measured in ${RUNS} runs of ${SECONDS} s, each on a target started afresh (new database, new storage) so that every run begins from the same state; a run's latencies are percentiles over its requests (nearest rank), and the table gives the median across runs of each figure, the highest max, and errors summed over all runs. Any non-2xx or network error counts as an error.`,
    "",
    "| target | operation | requests | requests/s | p50 ms | p99 ms | max ms | errors |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    ...results.flatMap((r) => [
      ...OPERATIONS.flatMap((op) => {
        const s = r.load.operations[op];
        return s
          ? [
              `| ${r.target} | ${op} | ${n(s.requests)} | ${n(s.requestsPerSecond)} | ${n(s.p50Ms)} | ${n(s.p99Ms)} | ${n(s.maxMs)} | ${n(s.errors)} |`,
            ]
          : [];
      }),
      `| ${r.target} | **all** | ${n(r.load.requests)} | ${n(r.load.requestsPerSecond)} | | | | ${n(r.load.errors)} |`,
    ]),
    "",
    "Requests/s of each run, in order: " +
      results
        .map((r) => `${r.target} ${r.runs.map((run) => n(run.load.requestsPerSecond)).join(", ")}`)
        .join("; ") +
      ".",
    "",
    `The backlog: each run's exports, and how long the last run's took to finish after its load (the earlier runs' targets are stopped after their health floor). Server CPU is the median over runs.`,
    "",
    "| target | exports created | completed by the end of the load | completed in the end | failed | backlog cleared after | server CPU ms per request | load generator CPU ms |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...results.map(
      (r) =>
        `| ${r.label} | ${n(r.created)} | ${n(r.completedAtEnd)} | ${n(r.completedAfterDrain)} | ${n(r.failed)} | ${r.drainSeconds === null ? `not within ${DRAIN_SECONDS} s` : `${r.drainSeconds} s`} | ${round(r.serverCpuMs / Math.max(1, r.load.requests), 2)} | ${n(r.load.clientCpuMs)} |`,
    ),
    "",
    `*Server CPU* is user + system time of the server's processes (embedded: the one web process with its worker; compose: web and the ${COMPOSE_WORKERS} workers) during the load, from /proc; PostgreSQL's and s3rver's own CPU are not in it.`,
    "",
    `Floors, same run, same ${CLIENTS} clients and load generator, medians of ${RUNS} runs each (the health floor right after each run's load, on that run's target). GET /api/health is the cheapest route of the real server: it answers from one probe (\`select 1\` on the database and a storage health check, on compose a HeadBucket on s3rver) shared by the calls that arrive while it runs and reused for a second, so it measures the web process's HTTP path; the bare server is the floor of the machine and the load generator themselves.`,
    "",
    "| floor | seconds | requests/s | p50 ms | p99 ms | errors |",
    "|---|---:|---:|---:|---:|---:|",
    `| a bare node:http server answering a fixed JSON body (its own process) | ${round(bareLoad.seconds, 1)} | ${n(bareLoad.requestsPerSecond)} | ${n(bareLoad.operations.health?.p50Ms)} | ${n(bareLoad.operations.health?.p99Ms)} | ${n(bareLoad.errors)} |`,
    ...results.map(
      (r) =>
        `| GET /api/health on ${r.target} (after each load) | ${round(r.health.seconds, 1)} | ${n(r.health.requestsPerSecond)} | ${n(r.health.operations.health?.p50Ms)} | ${n(r.health.operations.health?.p99Ms)} | ${n(r.health.errors)} |`,
    ),
    "",
    "Targets:",
    "",
    "| target | measured | met |",
    "|---|---|---|",
    ...results.map(
      (r) =>
        `| ${r.target}: 0 errors under ${CLIENTS} clients for ${SECONDS} s | ${n(r.load.errors)} errors in ${n(r.load.requests)} requests | ${yes(r.load.errors === 0)} |`,
    ),
    ...results.map(
      (r) =>
        `| ${r.target}: every created export completes | ${n(r.completedAfterDrain)} of ${n(r.created)}, ${n(r.failed)} failed | ${yes(r.completedAfterDrain === r.created)} |`,
    ),
    ...(results.some((r) => r.load.errorSamples.length)
      ? [
          "",
          "First errors:",
          "",
          ...results.flatMap((r) =>
            r.load.errorSamples.map((s) => `- ${r.target}: \`${s.slice(0, 300)}\``),
          ),
        ]
      : []),
    ...(notes.length ? ["", "Notes:", "", ...notes.map((note) => `- ${note}`)] : []),
    "",
    `Load average (1/5/15 min) before ${machine.loadBefore.join(" / ")}, after ${machine.loadAfter.join(" / ")} on ${cpus().length} cores: the load generator, the servers, PostgreSQL and s3rver share the machine (and it is shared with other work), so rates are pessimistic; server CPU per request moves least with load.`,
  ];
  const markdown = lines.join("\n");
  const result = {
    name: "api",
    title: "API under load: 50 clients mixing export create, list, get and download",
    date: startedAt.toISOString(),
    machine,
    config: {
      runs: RUNS,
      seconds: SECONDS,
      clients: CLIENTS,
      floorSeconds: FLOOR_SECONDS,
      drainSeconds: DRAIN_SECONDS,
      targets: TARGETS,
      mix: Object.fromEntries(EXPORT_MIX),
      datasetImages: DATASET_IMAGES,
      boxesPerImage: BOXES_PER_IMAGE,
      composeWorkers: COMPOSE_WORKERS,
      quick,
    },
    targets: results.map(({ runs, ...rest }) => ({
      ...rest,
      runs: runs.map((run) => ({ ...run, load: { ...run.load, created: undefined } })),
    })),
    floors: { bareHttp: bareLoad, bareHttpRuns: bareRuns },
    notes,
    markdown,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, "api.json"), JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(`\n## ${result.title}\n\n${markdown}\n`);
  if (results.length === 0) process.exitCode = 1;
}

await main();
