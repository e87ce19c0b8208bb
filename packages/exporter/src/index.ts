export { buildExport, type BuildOutcome, type ExporterDeps } from "./build-export";
export { collectGarbage, type GarbageReport } from "./collect-garbage";
export { runImport, type ImportOutcome } from "./run-import";
export { startWorkers, type Workers, type WorkerOptions } from "./start-workers";
export { exportBlobKey, exportBlobPrefix, EXPORTS_PREFIX } from "./export-keys";
