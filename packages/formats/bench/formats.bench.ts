// The formats benchmark: every registered format exported annotation-only (100k images × 10
// boxes, generated on the fly) through writeExportZip into /dev/null, at 10k and 100k images
// to show memory stays flat; floors measured in the same run (Info-ZIP on each format's own
// files, JSON.stringify of the same COCO data, the source alone); archiver 8 against our ZIP
// writer on the same 100k entries. Each measurement runs in its own child process so its
// peak RSS is its own. Writes bench/results/formats.json at the repository root and prints
// a markdown table. Run by `pnpm bench formats` or `pnpm --filter @pictograph/formats bench`.
// Options: --quick (10k only, one run each: a smoke test), --runs N, --big-runs N.
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { FORMATS, type Format } from "@pictograph/schema";
import { EXPORT_ZIP_LEVEL } from "../src/archive/write-export-zip";
import { formatModules } from "../src/registry";
import { benchSource, BOXES_PER_IMAGE } from "./bench-dataset";
import type { TaskResult } from "./bench-task";
import { median, option, quick } from "../../../scripts/bench-support";

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, "..", "..", "..", "bench", "results");
const taskFile = join(here, "bench-task.ts");

/** Runs of the cheap measurements (10k exports, floors, our writer). */
const RUNS = option("--runs", quick ? 1 : 5);
/** Runs of the 100k exports and of archiver, which take several seconds each: 5, as the
 * cheap ones, unless `--quick`. */
const BIG_RUNS = option("--big-runs", quick ? 1 : 5);
const SMALL = 10_000;
const BIG = quick ? SMALL : 100_000;
/** Exports' level; the ZIP writers are compared at zlib's default, 6, as archiver uses it. */
const ZIP_LEVEL = EXPORT_ZIP_LEVEL;
const WRITERS_LEVEL = 6;

const TARGET_IMAGES_PER_SECOND = 40_000;
const TARGET_COCO_OVER_STRINGIFY = 2;
const TARGET_PEAK_RSS_MB = 300;
/** "Flat": peak RSS at 100k no more than this above the 10k run. */
const FLAT_RSS_DELTA_MB = 50;

type Measured = {
  runs: number;
  medianMs: number;
  perSecond: number;
  /** Items per second in the fastest run: less disturbed by whatever else the machine runs. */
  bestPerSecond: number;
  cpuMs: number;
  /** Items per second of CPU time (all threads): the figure that moves least with load. */
  perCpuSecond: number;
  peakRssMB: number;
  baseRssMB: number;
  bytes: number | null;
};

function runTask(args: string[]): TaskResult {
  const child = spawnSync(process.execPath, [...process.execArgv, taskFile, ...args], {
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = child.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (child.status !== 0 || !line)
    throw new Error(`bench task ${args.join(" ")} failed (exit ${child.status}):\n${child.stderr}`);
  return JSON.parse(line.slice("RESULT ".length)) as TaskResult;
}

/** Median of `runs` child runs; peak RSS is the highest seen. */
function measureTask(args: string[], runs: number): Measured {
  const results = Array.from({ length: runs }, () => runTask(args));
  const medianMs = median(results.map((r) => r.ms));
  return {
    runs,
    medianMs: Math.round(medianMs),
    perSecond: Math.round((results[0]!.items / medianMs) * 1000),
    bestPerSecond: Math.round((results[0]!.items / Math.min(...results.map((r) => r.ms))) * 1000),
    cpuMs: Math.round(median(results.map((r) => r.cpuMs))),
    perCpuSecond: Math.round((results[0]!.items / median(results.map((r) => r.cpuMs))) * 1000),
    peakRssMB: Math.max(...results.map((r) => r.peakRssMB)),
    baseRssMB: Math.round(median(results.map((r) => r.baseRssMB))),
    bytes: results[0]!.bytes ?? null,
  };
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Info-ZIP at our level on the very files a format's export holds, written to disk first;
 * only `zip` itself is timed. The like-for-like floor for each format: a VOC export deflates
 * ten times the bytes of a YOLO one. */
async function measureInfoZip(format: Format, images: number, runs: number) {
  const dir = mkdtempSync(join(tmpdir(), "bench-infozip-"));
  const tree = join(dir, "tree");
  try {
    const made = new Set<string>();
    let files = 0;
    const entries = formatModules[format]!.write(benchSource(images, format));
    for (let next = await entries.next(); !next.done; next = await entries.next()) {
      const entry = next.value;
      if (entry.type !== "file") continue;
      const path = join(tree, entry.path);
      const folder = dirname(path);
      if (!made.has(folder)) mkdirSync(folder, { recursive: true });
      made.add(folder);
      if (typeof entry.body === "string" || entry.body instanceof Uint8Array)
        writeFileSync(path, entry.body);
      else await pipeline(Readable.from(entry.body), createWriteStream(path));
      files++;
    }
    const times: number[] = [];
    const cpuTimes: number[] = [];
    for (let r = 0; r < runs; r++) {
      rmSync(join(dir, "out.zip"), { force: true });
      const start = performance.now();
      // -D: no folder entries, as our writer; -$1: the level exports use. bash's `time`
      // prints zip's own CPU seconds (user, system) on stderr.
      const zip = spawnSync(
        "bash",
        [
          "-c",
          'TIMEFORMAT="%U %S"; time zip -r -q -D -$1 "$0" .',
          join(dir, "out.zip"),
          String(ZIP_LEVEL),
        ],
        { cwd: tree, encoding: "utf8" },
      );
      times.push(performance.now() - start);
      if (zip.status !== 0) throw new Error(`zip failed: ${zip.stderr}`);
      const [user = 0, system = 0] = (zip.stderr.trim().split("\n").at(-1) ?? "")
        .split(" ")
        .map(Number);
      cpuTimes.push((user + system) * 1000);
    }
    const medianMs = median(times);
    return {
      format,
      runs,
      files,
      medianMs: Math.round(medianMs),
      perSecond: Math.round((files / medianMs) * 1000),
      imagesPerSecond: Math.round((images / medianMs) * 1000),
      perCpuSecond: Math.round((files / median(cpuTimes)) * 1000),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cell(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return typeof value === "number" ? value.toLocaleString("en-US") : value;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = loadavg();
  const notes: string[] = [];
  const formats: Array<{ format: Format; images: number } & Measured> = [];

  for (const format of FORMATS) {
    if (!formatModules[format]) {
      notes.push(`${format}: not registered in src/registry.ts yet, skipped`);
      log(`skip ${format}: not registered`);
      continue;
    }
    for (const images of BIG === SMALL ? [SMALL] : [SMALL, BIG]) {
      const runs = images === SMALL ? RUNS : BIG_RUNS;
      log(`${format}: ${images} images × ${runs} runs`);
      try {
        formats.push({ format, images, ...measureTask(["format", format, String(images)], runs) });
      } catch (error) {
        notes.push(
          `${format} at ${images} images failed: ${(error as Error).message.split("\n")[0]}`,
        );
        log((error as Error).message);
      }
    }
  }

  const writersAlone: Array<{ format: Format } & Measured> = [];
  for (const { format } of formats.filter((f) => f.images === BIG)) {
    log(`${format} writer alone: ${BIG} images × ${BIG_RUNS} runs`);
    writersAlone.push({ format, ...measureTask(["writer", format, String(BIG)], BIG_RUNS) });
  }
  let cocoFastest: Measured | null = null;
  if (formatModules.coco) {
    log(`coco at level 1: ${BIG} images × ${BIG_RUNS} runs`);
    cocoFastest = measureTask(["format", "coco", String(BIG), "1"], BIG_RUNS);
  }

  log(`source alone: ${BIG} images × ${RUNS}`);
  const source = measureTask(["source", String(BIG)], RUNS);
  log(`JSON.stringify floor: ${BIG} images, ${RUNS} runs in one process`);
  const stringifyTask = runTask(["stringify", String(BIG), String(RUNS)]);
  const stringifyMs = Math.round(median(stringifyTask.runsMs ?? [stringifyTask.ms]));
  const stringifyCpuMs = median(stringifyTask.runsCpuMs ?? [stringifyTask.cpuMs]);
  const stringify = {
    runs: RUNS,
    medianMs: stringifyMs,
    perSecond: Math.round((BIG / stringifyMs) * 1000),
    perCpuSecond: Math.round((BIG / stringifyCpuMs) * 1000),
    jsonMB: Math.round((stringifyTask.bytes ?? 0) / 1e5) / 10,
  };
  const infoZips: Array<Awaited<ReturnType<typeof measureInfoZip>>> = [];
  for (const { format } of formats.filter((f) => f.images === BIG)) {
    log(`Info-ZIP on ${format}'s files: ${BIG} images × ${RUNS}`);
    infoZips.push(await measureInfoZip(format, BIG, RUNS));
  }

  log(`ZIP writers: ${BIG} entries`);
  const writers = [
    { writer: "ours (ZipWriter)", ...measureTask(["zip-ours", String(BIG)], RUNS) },
    { writer: "archiver 8, append all", ...measureTask(["zip-archiver", String(BIG)], BIG_RUNS) },
    {
      writer: "archiver 8, ≤1000 in flight",
      ...measureTask(["zip-archiver-bounded", String(BIG)], BIG_RUNS),
    },
  ];

  const big = formats.filter((f) => f.images === BIG);
  const infoZipOf = (format: Format) => infoZips.find((z) => z.format === format)?.imagesPerSecond;
  const coco = big.find((f) => f.format === "coco");
  const targets = big.map((f) => {
    const small =
      BIG === SMALL ? undefined : formats.find((s) => s.format === f.format && s.images === SMALL);
    return {
      format: f.format,
      imagesPerSecond: f.perSecond >= TARGET_IMAGES_PER_SECOND,
      peakRss: f.peakRssMB < TARGET_PEAK_RSS_MB,
      rssDeltaMB: small ? f.peakRssMB - small.peakRssMB : null,
      flat: small ? f.peakRssMB - small.peakRssMB <= FLAT_RSS_DELTA_MB : null,
      overInfoZip: infoZipOf(f.format)
        ? Math.round((f.perSecond / infoZipOf(f.format)!) * 100) / 100
        : null,
    };
  });
  const cocoOverStringify = coco
    ? Math.round((coco.medianMs / stringify.medianMs) * 100) / 100
    : null;
  const cocoCpuOverStringify = coco ? Math.round((coco.cpuMs / stringifyCpuMs) * 100) / 100 : null;

  const machine = {
    cpu: `${cpus()[0]?.model ?? "unknown"} × ${cpus().length}`,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    loadBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
    loadAfter: loadavg().map((l) => Math.round(l * 100) / 100),
  };

  const lines = [
    `Annotation-only exports of generated images × ${BOXES_PER_IMAGE} boxes through \`writeExportZip\` (our ZIP writer, level ${ZIP_LEVEL}) into /dev/null; each run in its own process, under the heap policy the worker uses (\`useExportHeapPolicy\`: V8 grows the heap by at most 50% between full collections). Medians of ${RUNS} runs at ${SMALL.toLocaleString("en-US")} images and ${BIG_RUNS} at ${BIG.toLocaleString("en-US")}; peak RSS is the process's VmHWM (highest run), baseline is its RSS before the export starts (Node, tsx, modules). CPU time counts all threads (small members are deflated on a worker thread, streamed ones on zlib's pool), so images per CPU-second is what one core would do and an idle 2-core machine lands between it and twice it.`,
    "",
    "| format | images | images/s (median) | best run | images per CPU-s | median ms | peak RSS MB | baseline RSS MB | ZIP MB |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...formats.map(
      (f) =>
        `| ${f.format} | ${cell(f.images)} | ${cell(f.perSecond)} | ${cell(f.bestPerSecond)} | ${cell(f.perCpuSecond)} | ${cell(f.medianMs)} | ${cell(f.peakRssMB)} | ${cell(f.baseRssMB)} | ${cell(f.bytes === null ? null : Math.round(f.bytes / 1e5) / 10)} |`,
    ),
    "",
    `Where the time goes at ${BIG.toLocaleString("en-US")} images: the format writer alone (entries drained, bodies encoded to bytes, no ZIP; medians of ${BIG_RUNS}) against the whole export above, in CPU time so that load elsewhere on the machine matters less.`,
    "",
    "| format | writer alone images/s | writer alone, images per CPU-s | export, images per CPU-s | export CPU / writer CPU |",
    "|---|---:|---:|---:|---:|",
    ...writersAlone.map((w) => {
      const exported = formats.find((f) => f.format === w.format && f.images === BIG);
      const ratio = exported ? Math.round((exported.cpuMs / w.cpuMs) * 100) / 100 : null;
      return `| ${w.format} | ${cell(w.perSecond)} | ${cell(w.perCpuSecond)} | ${cell(exported?.perCpuSecond)} | ${cell(ratio)} |`;
    }),
    ...(cocoFastest
      ? [
          "",
          `COCO with the ZIP at deflate level 1 instead of ${ZIP_LEVEL}: ${cell(cocoFastest.perSecond)} images/s (median ${cell(cocoFastest.medianMs)} ms of ${cocoFastest.runs}), ZIP ${cell(cocoFastest.bytes === null ? null : Math.round(cocoFastest.bytes / 1e5) / 10)} MB.`,
        ]
      : []),
    "",
    `Floors (${BIG.toLocaleString("en-US")} images, same generated data):`,
    "",
    "| floor | runs | median ms | images/s (median) | per CPU-s |",
    "|---|---:|---:|---:|---:|",
    `| generating the images (the benchmark's stand-in for the database cursor) | ${source.runs} | ${cell(source.medianMs)} | ${cell(source.perSecond)} | ${cell(source.perCpuSecond)} |`,
    `| \`JSON.stringify\` of the same data in COCO's shape (${stringify.jsonMB} MB of JSON) | ${stringify.runs} | ${cell(stringify.medianMs)} | ${cell(stringify.perSecond)} | ${cell(stringify.perCpuSecond)} |`,
    ...infoZips.map(
      (z) =>
        `| Info-ZIP \`zip -r -q -D -${ZIP_LEVEL}\` of ${z.format}'s ${cell(z.files)} files on disk (zip alone timed) | ${z.runs} | ${cell(z.medianMs)} | ${cell(z.imagesPerSecond)} (${cell(z.perSecond)} files/s) | ${cell(z.perCpuSecond)} files/s |`,
    ),
    "",
    `ZIP writers on the same ${BIG.toLocaleString("en-US")} YOLO-style label entries (≈330 B each), deflate level ${WRITERS_LEVEL}, into /dev/null:`,
    "",
    "| writer | runs | median ms | entries/s (median) | best run | entries per CPU-s | peak RSS MB | ZIP MB |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...writers.map(
      (w) =>
        `| ${w.writer} | ${w.runs} | ${cell(w.medianMs)} | ${cell(w.perSecond)} | ${cell(w.bestPerSecond)} | ${cell(w.perCpuSecond)} | ${cell(w.peakRssMB)} | ${cell(w.bytes === null ? null : Math.round(w.bytes / 1e5) / 10)} |`,
    ),
    "",
    "Targets at " + BIG.toLocaleString("en-US") + " images:",
    "",
    "| format | ≥ 40k images/s | Info-ZIP on the same files, images/s | ours ÷ Info-ZIP | peak RSS < 300 MB | RSS 10k → 100k (MB) |",
    "|---|---|---:|---:|---|---:|",
    ...targets.map(
      (t) =>
        `| ${t.format} | ${t.imagesPerSecond ? "yes" : "**no**"} | ${cell(infoZipOf(t.format))} | ${cell(t.overInfoZip)}× | ${t.peakRss ? "yes" : "**no**"} | ${t.rssDeltaMB === null ? "–" : `${t.rssDeltaMB >= 0 ? "+" : ""}${t.rssDeltaMB}${t.flat ? "" : " (**not flat**)"}`} |`,
    ),
    "",
    cocoOverStringify === null
      ? "COCO vs JSON.stringify: coco not measured."
      : `COCO takes ${cocoOverStringify}× the JSON.stringify floor's time (${cocoCpuOverStringify}× its CPU time; target ≤ ${TARGET_COCO_OVER_STRINGIFY}×): ${cocoOverStringify <= TARGET_COCO_OVER_STRINGIFY ? "met" : "**not met**"}.`,
    ...(notes.length ? ["", "Notes:", "", ...notes.map((n) => `- ${n}`)] : []),
    "",
    `Load average (1/5/15 min) before ${machine.loadBefore.join(" / ")}, after ${machine.loadAfter.join(" / ")}: the machine is shared, so figures move with what else runs.`,
  ];
  const markdown = lines.join("\n");

  const result = {
    name: "formats",
    title: "Formats: annotation-only export throughput and memory",
    date: startedAt.toISOString(),
    machine,
    config: {
      small: SMALL,
      big: BIG,
      boxesPerImage: BOXES_PER_IMAGE,
      runs: RUNS,
      bigRuns: BIG_RUNS,
      level: ZIP_LEVEL,
      quick,
    },
    formats,
    writersAlone,
    cocoAtLevel1: cocoFastest,
    floors: { source, jsonStringify: stringify, infoZip: infoZips },
    zipWriters: writers,
    targets: { perFormat: targets, cocoOverStringify, cocoCpuOverStringify },
    notes,
    markdown,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, "formats.json"), JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(`\n## ${result.title}\n\n${markdown}\n`);
}

await main();
