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
// --seconds, --clients, --floor-seconds, --drain-seconds, --targets=embedded,compose.
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
import { benchLog, n, option, optionText, quick, round, yes } from "../../../scripts/bench-support";

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, "..", "..", "..", "bench", "results");


const SECONDS = option("--seconds", quick ? 10 : 60);
const CLIENTS = option("--clients", 50);
const FLOOR_SECONDS = option("--floor-seconds", quick ? 5 : 15);
/** After the load: how long the created exports get to finish before the count is final. */
const DRAIN_SECONDS = option("--drain-seconds", quick ? 30 : 180);
const TARGETS = (optionText("--targets") ?? "embedded,compose").split(",").filter(Boolean);
for (const t of TARGETS)
  if (t !== "embedded" && t !== "compose") throw new Error(`--targets: unknown target ${t}`);

const OPERATIONS: Operation[] = ["create", "list", "get", "download", "zip"];

type TargetResult = {
  target: string;
  label: string;
  load: LoadResult;
  /** CPU of the server's processes (web, workers) during the load window. */
  serverCpuMs: number;
  created: number;
  completedAtEnd: number;
  completedAfterDrain: number;
  failed: number;
  /** Seconds after the load ended until every created export was completed or failed. */
  drainSeconds: number | null;
  health: LoadResult;
  healthServerCpuMs: number;
};

const log = benchLog("api");

async function measureTarget(name: string, target: Target): Promise<TargetResult> {
  log(`${name}: preparing ${DATASET} (${DATASET_IMAGES} images, ${SEED_EXPORTS} seed exports)`);
  const seeds = await prepareDataset(target.baseUrl, target.apiKey);
  await sleep(2_000); // let the seed builds' aftermath settle
  log(`${name}: ${CLIENTS} clients for ${SECONDS} s`);
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
  const serverCpuMs = treeCpuMs(target.serverPids()) - cpuBefore;
  const created = new Set(load.created);
  const countIn = (names: Set<string>) => [...names].filter((name) => created.has(name)).length;
  const completedAtEnd = countIn(
    await exportNamesWithStatus(target.baseUrl, target.apiKey, "completed"),
  );
  log(
    `${name}: ${n(load.requests)} requests (${n(load.requestsPerSecond)}/s), ${load.errors} errors; ${completedAtEnd} of ${created.size} created exports completed`,
  );
  for (const sample of load.errorSamples) log(`${name}: error: ${sample}`);

  // Every created export must finish; how long the backlog takes is reported, not hidden.
  const drainBegan = performance.now();
  let completedAfterDrain: number;
  let failed: number;
  let drainSeconds: number | null = null;
  for (;;) {
    completedAfterDrain = countIn(
      await exportNamesWithStatus(target.baseUrl, target.apiKey, "completed"),
    );
    failed = countIn(await exportNamesWithStatus(target.baseUrl, target.apiKey, "failed"));
    const elapsed = (performance.now() - drainBegan) / 1000;
    if (completedAfterDrain + failed >= created.size) {
      drainSeconds = round(elapsed, 1);
      break;
    }
    if (elapsed > DRAIN_SECONDS) break;
    await sleep(1_000);
  }
  log(
    `${name}: after ${drainSeconds ?? `${DRAIN_SECONDS}+`} s: ${completedAfterDrain} completed, ${failed} failed`,
  );

  log(`${name}: floor, GET /api/health × ${CLIENTS} clients for ${FLOOR_SECONDS} s`);
  const healthCpuBefore = treeCpuMs(target.serverPids());
  const health = await runTrivialLoad({
    url: `${target.baseUrl}/api/health`,
    clients: CLIENTS,
    seconds: FLOOR_SECONDS,
  });
  const healthServerCpuMs = treeCpuMs(target.serverPids()) - healthCpuBefore;
  for (const sample of health.errorSamples) log(`${name}: health error: ${sample}`);
  return {
    target: name,
    label: target.label,
    load,
    serverCpuMs: round(serverCpuMs),
    created: created.size,
    completedAtEnd,
    completedAfterDrain,
    failed,
    drainSeconds,
    health,
    healthServerCpuMs: round(healthServerCpuMs),
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

  log(`floor: a bare node:http server, ${CLIENTS} clients for ${FLOOR_SECONDS} s`);
  const bare = await startBareHttpServer();
  let bareLoad: LoadResult;
  try {
    bareLoad = await runTrivialLoad({ url: bare.url, clients: CLIENTS, seconds: FLOOR_SECONDS });
  } finally {
    await bare.stop();
  }

  const results: TargetResult[] = [];
  const active = new Set<Target>();
  const abandon = () => {
    for (const target of active) void target.stop();
    process.exit(130);
  };
  process.once("SIGINT", abandon);
  process.once("SIGTERM", abandon);
  for (const name of TARGETS) {
    log(`${name}: starting`);
    let target: Target | null = null;
    try {
      target =
        name === "embedded" ? await startEmbeddedTarget() : await startComposeTarget(adminUrl);
      active.add(target);
      results.push(await measureTarget(name, target));
    } catch (error) {
      const message = (error as Error).message;
      notes.push(`${name}: could not be measured: ${message.split("\n")[0]}`);
      log(`${name} failed: ${message}${target ? `\n${target.output().slice(-4000)}` : ""}`);
    } finally {
      if (target) {
        await target.stop().catch((error: Error) => log(`${name}: stop: ${error.message}`));
        active.delete(target);
      }
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
    `${CLIENTS} concurrent clients, each sending one request at a time with no pause, for ${SECONDS} s per target, over HTTP with Node's global fetch (undici, keep-alive) from one load-generating process on the same machine. Each iteration picks ${mix}: *create* is a POST of an annotation-only export (formats in turn, each name unique) of a ${DATASET_IMAGES}-image dataset with ${BOXES_PER_IMAGE} boxes per image; *list* the workspace's newest 50 exports; *get* one export among all created so far; *download* asks for the signed URL of a completed one and *zip* is the GET of that URL (embedded: served by the web server from local storage; compose: presigned for s3rver, which serves it), its body read to the end and checked against the export's size. Every response body is read. The ${SECONDS} s run is one run: latencies are percentiles over its requests (nearest rank), not medians of repeated runs. Any non-2xx or network error counts as an error.`,
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
    "| target | exports created | completed by the end of the load | completed in the end | failed | backlog cleared after | server CPU ms per request | load generator CPU ms |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...results.map(
      (r) =>
        `| ${r.label} | ${n(r.created)} | ${n(r.completedAtEnd)} | ${n(r.completedAfterDrain)} | ${n(r.failed)} | ${r.drainSeconds === null ? `not within ${DRAIN_SECONDS} s` : `${r.drainSeconds} s`} | ${round(r.serverCpuMs / Math.max(1, r.load.requests), 2)} | ${n(r.load.clientCpuMs)} |`,
    ),
    "",
    `*Server CPU* is user + system time of the server's processes (embedded: the one web process with its worker; compose: web and the ${COMPOSE_WORKERS} workers) during the load, from /proc; PostgreSQL's and s3rver's own CPU are not in it.`,
    "",
    `Floors, same run, same ${CLIENTS} clients and load generator. GET /api/health is the cheapest route of the real server, but not free: each call runs \`select 1\` on the database and a storage health check (on compose, a HeadBucket on s3rver), so there it is bounded by those as much as by the web process; the bare server is the floor of the machine and the load generator themselves.`,
    "",
    "| floor | seconds | requests/s | p50 ms | p99 ms | errors |",
    "|---|---:|---:|---:|---:|---:|",
    `| a bare node:http server answering a fixed JSON body (its own process) | ${round(bareLoad.seconds, 1)} | ${n(bareLoad.requestsPerSecond)} | ${n(bareLoad.operations.health?.p50Ms)} | ${n(bareLoad.operations.health?.p99Ms)} | ${n(bareLoad.errors)} |`,
    ...results.map(
      (r) =>
        `| GET /api/health on ${r.target} (after its load) | ${round(r.health.seconds, 1)} | ${n(r.health.requestsPerSecond)} | ${n(r.health.operations.health?.p50Ms)} | ${n(r.health.operations.health?.p99Ms)} | ${n(r.health.errors)} |`,
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
    targets: results.map(({ load, health, ...rest }) => ({
      ...rest,
      load: { ...load, created: undefined },
      health,
    })),
    floors: { bareHttp: bareLoad },
    notes,
    markdown,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, "api.json"), JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(`\n## ${result.title}\n\n${markdown}\n`);
  if (results.length === 0) process.exitCode = 1;
}

await main();
