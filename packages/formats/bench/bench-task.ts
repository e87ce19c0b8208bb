// One measured task of the formats benchmark, run in a child process of its own so that its
// peak RSS (VmHWM) belongs to that task alone. Prints one `RESULT {json}` line on stdout.
// Usage: tsx bench/bench-task.ts <task> [args]; formats.bench.ts is the only caller.
import { createWriteStream, readFileSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { ZipArchive } from "archiver";
import type { Format } from "@pictograph/schema";
import { useExportHeapPolicy } from "../src/archive/heap-policy";
import { EXPORT_ZIP_LEVEL, writeExportZip } from "../src/archive/write-export-zip";
import { ZipWriter } from "../src/archive/zip-writer";
import { formatModules } from "../src/registry";
import { benchClasses, benchImage, benchLabelText, benchSource, splitOf } from "./bench-dataset";

const MTIME = new Date("2026-01-02T03:04:05Z");

export type TaskResult = {
  ms: number;
  /** Process CPU time (all threads) during the task. */
  cpuMs: number;
  /** Resident set before the measured part: Node, tsx and the modules. */
  baseRssMB: number;
  peakRssMB: number;
  bytes?: number;
  items: number;
  /** Extra timings (JSON.stringify runs) when a task measures more than once. */
  runsMs?: number[];
  runsCpuMs?: number[];
};

function statusMB(field: "VmHWM" | "VmRSS"): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(
    readFileSync("/proc/self/status", "utf8"),
  );
  return match
    ? Math.round(Number(match[1]) / 1024)
    : Math.round(process.memoryUsage.rss() / 1024 ** 2);
}

async function measure(
  items: number,
  task: () => Promise<number | undefined>,
): Promise<TaskResult> {
  const baseRssMB = statusMB("VmRSS");
  const cpu = process.cpuUsage();
  const start = performance.now();
  const bytes = await task();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    baseRssMB,
    peakRssMB: statusMB("VmHWM"),
    bytes,
    items,
  };
}

function writerOf(format: Format) {
  const module = formatModules[format];
  if (!module) throw new Error(`${format} is not registered`);
  return module.write;
}

async function exportFormat(format: Format, images: number, level: number): Promise<TaskResult> {
  const write = writerOf(format);
  return measure(images, async () => {
    const zip = writeExportZip(write, benchSource(images, format), { mtime: MTIME, level });
    await pipeline(zip.stream, createWriteStream("/dev/null"));
    return (await zip.done).bytes;
  });
}

/** The format writer alone: entries drained and their bodies encoded, no ZIP. Separates
 * what the format costs from what the archive costs. */
async function drainWriter(format: Format, images: number): Promise<TaskResult> {
  const write = writerOf(format);
  return measure(images, async () => {
    let bytes = 0;
    const entries = write(benchSource(images, format));
    for (let next = await entries.next(); !next.done; next = await entries.next()) {
      const entry = next.value;
      if (entry.type === "image") continue;
      if (typeof entry.body === "string") bytes += Buffer.byteLength(entry.body);
      else if (entry.body instanceof Uint8Array) bytes += entry.body.byteLength;
      else
        for await (const chunk of entry.body)
          bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
    }
    return bytes;
  });
}

/** The source alone, one full pass: what the export costs before any format runs. */
async function iterateSource(images: number): Promise<TaskResult> {
  return measure(images, async () => {
    let boxes = 0;
    for await (const image of benchSource(images, "coco").images())
      boxes += image.annotations.length;
    return boxes;
  });
}

async function zipOurs(entries: number): Promise<TaskResult> {
  return measure(entries, async () => {
    const zip = new ZipWriter({ mtime: MTIME });
    const written = pipeline(zip.stream, createWriteStream("/dev/null"));
    for (let i = 0; i < entries; i++) await zip.addBuffer(labelName(i), benchLabelText(i));
    const { bytes } = await zip.finish();
    await written;
    return bytes;
  });
}

/** archiver 8 as its README uses it. `inFlight` caps entries appended but not yet written
 * (archiver has no backpressure on append); Infinity appends everything up front. */
async function zipArchiver(entries: number, inFlight: number): Promise<TaskResult> {
  return measure(entries, async () => {
    const archive = new ZipArchive({ zlib: { level: 6 } });
    let done = 0;
    let wake: (() => void) | null = null;
    archive.on("entry", () => {
      done++;
      wake?.();
    });
    const written = pipeline(archive, createWriteStream("/dev/null"));
    for (let i = 0; i < entries; i++) {
      archive.append(benchLabelText(i), { name: labelName(i), date: MTIME });
      while (i + 1 - done > inFlight) await new Promise<void>((resolve) => (wake = resolve));
    }
    await archive.finalize();
    await written;
    return archive.pointer();
  });
}

function labelName(index: number): string {
  return `labels/${splitOf(index) ?? "train"}/${benchImage(index).path.replace(/\.jpg$/, ".txt")}`;
}

/** The COCO floor: JSON.stringify of the same data in COCO's shape, built up front and timed
 * alone, `runs` times. */
async function stringifyCoco(images: number, runs: number): Promise<TaskResult> {
  const categories = benchClasses.map((c, i) => ({ id: i + 1, name: c.name, supercategory: "" }));
  const ids = new Map(benchClasses.map((c, i) => [c.name, i + 1]));
  const cocoImages = [];
  const annotations = [];
  for (let i = 0; i < images; i++) {
    const image = benchImage(i);
    cocoImages.push({ id: i + 1, file_name: image.path, width: image.width, height: image.height });
    for (const a of image.annotations) {
      if (a.type !== "bbox") continue;
      const { x, y, w, h } = a.bbox;
      annotations.push({
        id: annotations.length + 1,
        image_id: i + 1,
        category_id: ids.get(a.class_name)!,
        bbox: [x, y, w, h],
        area: w * h,
        segmentation: [],
        iscrowd: 0,
      });
    }
  }
  const coco = {
    info: { description: "bench" },
    licenses: [],
    images: cocoImages,
    annotations,
    categories,
  };
  const runsMs: number[] = [];
  const runsCpuMs: number[] = [];
  let bytes = 0;
  const result = await measure(images, async () => {
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      bytes = JSON.stringify(coco).length;
      const used = process.cpuUsage(cpu);
      runsMs.push(performance.now() - start);
      runsCpuMs.push((used.user + used.system) / 1000);
    }
    return bytes;
  });
  return { ...result, runsMs, runsCpuMs };
}

async function run(args: string[]): Promise<TaskResult> {
  const [task, ...rest] = args;
  const n = Number(rest[0]);
  switch (task) {
    case "format":
      return exportFormat(rest[0] as Format, Number(rest[1]), Number(rest[2] ?? EXPORT_ZIP_LEVEL));
    case "writer":
      return drainWriter(rest[0] as Format, Number(rest[1]));
    case "source":
      return iterateSource(n);
    case "zip-ours":
      return zipOurs(n);
    case "zip-archiver":
      return zipArchiver(n, Infinity);
    case "zip-archiver-bounded":
      return zipArchiver(n, 1000);
    case "stringify":
      return stringifyCoco(Number(rest[0]), Number(rest[1]));
    default:
      throw new Error(`unknown task ${task}`);
  }
}

// Every task, ours and the floors, under the heap policy of the processes that write exports.
useExportHeapPolicy();
const result = await run(process.argv.slice(2));
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
