// What can go wrong in a build, and the sentence a user reads for it (never a stack trace).
import { UnknownClassError } from "@pictograph/formats";
import { StorageUnavailableError } from "@pictograph/storage";

/** The export row was deleted (or taken over) while building: stop and leave nothing. */
export class ExportCancelledError extends Error {
  constructor() {
    super("the export was deleted while it was being built");
  }
}

/** Worth another attempt: the job is retried with backoff. */
export class RetryableExportError extends Error {}

/** Images were added, deleted or re-statused while the ZIP was written: worth building again. */
export class DatasetChangedError extends RetryableExportError {
  constructor() {
    super("the dataset changed while it was being exported");
  }
}

/** The worker is stopping: the build is handed back (pending) for another worker, never failed. */
export class WorkerShutdownError extends Error {
  constructor() {
    super("the worker stopped during the build");
  }
}

/** The build ran past its time limit (EXPORT_TIMEOUT_SECONDS): it is stopped, not retried. */
export class BuildTimeoutError extends Error {
  constructor(limitMs: number) {
    super(
      `the build took longer than its time limit of ${formatDuration(limitMs)}; export fewer images, leave images out, or raise EXPORT_TIMEOUT_SECONDS`,
    );
  }
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = Math.round(ms / 1000);
  const [count, unit] = seconds % 60 === 0 ? [seconds / 60, "minute"] : [seconds, "second"];
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

/** An included image has no file to put in the ZIP: the user must upload it or leave images out. */
export class MissingImageFileError extends Error {
  constructor(path: string, reason: "never uploaded" | "missing from storage") {
    super(
      `image ${JSON.stringify(path)} ${reason === "never uploaded" ? "has no uploaded file" : "has lost its file in storage"}: upload it again, or export without images`,
    );
  }
}

/** The built ZIP does not match what was selected: it is never published. */
export class SelfCheckError extends Error {}

// Connection-level failures of node-postgres and PostgreSQL's "server is going away" codes.
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08003",
  "08006",
  "53300",
]);

export function isTransient(error: unknown): boolean {
  if (error instanceof StorageUnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && TRANSIENT_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    message,
  );
}

export function describeBuildError(error: unknown): string {
  if (
    error instanceof UnknownClassError ||
    error instanceof MissingImageFileError ||
    error instanceof BuildTimeoutError ||
    error instanceof DatasetChangedError
  )
    return error.message;
  if (error instanceof SelfCheckError) return `self-check failed: ${error.message}`;
  if (error instanceof StorageUnavailableError) return error.message;
  if (isTransient(error)) return "the database could not be reached";
  const message = error instanceof Error ? error.message : String(error);
  return `export failed: ${message.split("\n")[0]!.slice(0, 500)}`;
}
