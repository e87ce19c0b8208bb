// The imports benchmark's reading floor, in a process of its own so its peak RSS is its own:
// opens a ZIP with the importer's openZipArchive and walks the format reader's images once,
// touching every annotation, writing nothing. Usage: import-read-floor.ts <zip> <format>.
// Prints one `RESULT {json}` line.
import { getFormat, openZipArchive } from "@pictograph/formats";
import { readFileSync } from "node:fs";

function statusMB(field: "VmHWM" | "VmRSS"): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(
    readFileSync("/proc/self/status", "utf8"),
  );
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

const [zipPath, format] = process.argv.slice(2);
if (!zipPath || !format) throw new Error("usage: import-read-floor.ts <zip> <format>");

const baseRssMB = statusMB("VmRSS");
const cpuBefore = process.cpuUsage();
const began = performance.now();
const archive = await openZipArchive(zipPath);
let images = 0;
let annotations = 0;
try {
  const result = await getFormat(format).read(archive);
  for await (const { image } of result.images) {
    images++;
    annotations += image.annotations.length;
  }
} finally {
  await archive.close();
}
const ms = performance.now() - began;
const cpu = process.cpuUsage(cpuBefore);
console.log(
  `RESULT ${JSON.stringify({
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    images,
    annotations,
    baseRssMB,
    peakRssMB: statusMB("VmHWM"),
  })}`,
);
