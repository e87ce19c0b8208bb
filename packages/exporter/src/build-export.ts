// Builds one export: claims its row, streams the dataset through the format writer into a
// ZIP that is uploaded while it is written, self-checks, and publishes by pointing the row
// at the stored ZIP in one UPDATE. A crashed or cancelled build leaves nothing visible.
import {
  claimExport,
  completeExport,
  countExportImages,
  failExport,
  type ExportImageCount,
  getDatasetById,
  getExportById,
  heartbeatExport,
  listClasses,
  releaseExport,
  type Db,
  type ExportRow,
} from "@pictograph/db";
import {
  exportClasses,
  formatModules,
  writeExportZip,
  type SplitCounts,
} from "@pictograph/formats";
import { BlobNotFoundError, type BlobStore } from "@pictograph/storage";
import {
  BuildTimeoutError,
  DatasetChangedError,
  ExportCancelledError,
  MissingImageFileError,
  RetryableExportError,
  SelfCheckError,
  WorkerShutdownError,
  describeBuildError,
  isTransient,
} from "./build-errors";
import { databaseExportSource } from "./export-source";
import { exportBlobKey, exportBlobPrefix, isSupersededAttempt } from "./export-keys";

export type ExporterDeps = {
  db: Db;
  storage: BlobStore;
  /** Who builds: recorded on the row (a worker's host and pid). */
  workerId: string;
  now?: () => Date;
  /** How long a completed ZIP is kept; default 7 days. */
  retentionSeconds?: number;
  /** How often progress is saved and cancellation checked; default 1 s. */
  heartbeatMs?: number;
  /** A `processing` row whose heartbeat is older than this belongs to a dead worker. */
  staleAfterSeconds?: number;
};

export type BuildOutcome =
  | { status: "completed"; row: ExportRow }
  | { status: "failed"; message: string }
  /** Nothing to do: deleted, already finished, or taken over by another worker. */
  | { status: "skipped"; reason: string };

const DAY = 24 * 60 * 60;

export async function buildExport(
  deps: ExporterDeps,
  exportId: string,
  options: {
    signal?: AbortSignal;
    finalAttempt?: boolean;
    /** Stops the build with a clear failure past this long (the job's own time limit). */
    timeoutMs?: number;
  } = {},
): Promise<BuildOutcome> {
  const now = deps.now ?? (() => new Date());
  const claim = await claimExport(deps.db, {
    exportId,
    workerId: deps.workerId,
    staleAfterSeconds: deps.staleAfterSeconds ?? 30,
  });
  if (claim.state === "missing") return { status: "skipped", reason: "the export was deleted" };
  if (claim.state === "finished")
    return { status: "skipped", reason: `the export is already ${claim.status}` };
  if (claim.state === "busy")
    throw new RetryableExportError("the export is being built by another worker");

  const row = claim.row;
  const attempt = row.attempts;
  const key = exportBlobKey(row.id, attempt);
  const controller = new AbortController();
  const abort = (reason: unknown) => controller.abort(reason);
  if (options.signal?.aborted) abort(options.signal.reason);
  else
    options.signal?.addEventListener("abort", () => abort(options.signal!.reason), { once: true });

  const timeLimit = options.timeoutMs
    ? setTimeout(() => abort(new BuildTimeoutError(options.timeoutMs!)), options.timeoutMs)
    : null;

  let progress = 0;
  const heartbeat = setInterval(() => {
    heartbeatExport(deps.db, { exportId, attempt, progress }).then(
      (alive) => alive || abort(new ExportCancelledError()),
      () => undefined, // a missed heartbeat is not a failure; the next one tries again
    );
  }, deps.heartbeatMs ?? 1000);

  try {
    const dataset = await getDatasetById(deps.db, { datasetId: row.datasetId });
    if (!dataset) throw new ExportCancelledError();
    const format = formatModules[row.format];
    if (!format) throw new Error(`format ${row.format} is not available`);
    const classRows = await listClasses(deps.db, { datasetId: row.datasetId });
    const classes = classRows.map(({ id: _id, position: _position, ...definition }) => definition);
    const exported = exportClasses(classes, row.classFilter); // UnknownClassError: a filtered class was deleted
    const classIds = row.classFilter
      ? classRows.filter((c) => exported.indexOf(c.name) !== undefined).map((c) => c.id)
      : null;
    const exportOptions = {
      format: row.format,
      include_images: row.includeImages,
      class_filter: row.classFilter,
      status_filter: row.statusFilter,
    };

    const counts = await countExportImages(deps.db, {
      datasetId: row.datasetId,
      statusFilter: row.statusFilter,
      classIds,
    });
    const splitCounts: SplitCounts = { train: 0, val: 0, test: 0, none: 0 };
    for (const c of counts) splitCounts[c.split ?? "none"] = c.images;
    const selectedImages = counts.reduce((sum, c) => sum + c.images, 0);

    const source = databaseExportSource({
      db: deps.db,
      datasetId: row.datasetId,
      datasetName: dataset.name,
      classes,
      classNamesById: new Map(classRows.map((c) => [c.id, c.name])),
      classIds,
      options: exportOptions,
      splitCounts,
      exportedAt: row.createdAt,
      signal: controller.signal,
    });
    const expectedYields = Math.max(1, selectedImages * format.passes(exportOptions));
    const updateProgress = setInterval(() => {
      progress = Math.min(99, Math.floor((100 * source.yielded) / expectedYields));
    }, 250);

    try {
      const zip = writeExportZip(format.write, source, {
        mtime: row.createdAt,
        openImage: async (entry) => {
          const file = source.storedFileOf(entry.image);
          if (!file?.blobKey) throw new MissingImageFileError(entry.image.path, "never uploaded");
          let bytes;
          try {
            bytes = await deps.storage.get(file.blobKey);
          } catch (error) {
            if (error instanceof BlobNotFoundError)
              throw new MissingImageFileError(entry.image.path, "missing from storage");
            throw error;
          }
          // Stopped while the file was being opened: nobody will read it, so close it now.
          if (controller.signal.aborted) {
            bytes.destroy();
            throw controller.signal.reason;
          }
          return bytes;
        },
      });
      // The ZIP's failure is read from zip.done and put(); an aborted put stops listening to
      // the stream first, and an 'error' nobody listens to would crash the process.
      zip.stream.on("error", () => undefined);
      controller.signal.addEventListener(
        "abort",
        () => zip.stream.destroy(controller.signal.reason as Error),
        { once: true },
      );
      const [built, stored] = await bothOrRootCause(
        zip.done,
        deps.storage.put(key, zip.stream, {
          contentType: "application/zip",
          signal: controller.signal,
        }),
      );

      // Edits during the build (an image added, deleted, or moved in or out of the status
      // filter) change what later pages and passes see: build again from the new state.
      if (
        built.summary.images !== selectedImages ||
        (row.includeImages && built.imageEntries !== selectedImages)
      ) {
        const recounted = await countExportImages(deps.db, {
          datasetId: row.datasetId,
          statusFilter: row.statusFilter,
          classIds,
        });
        if (!sameCounts(counts, recounted)) throw new DatasetChangedError();
      }
      // Self-check before anyone can see the ZIP.
      if (built.summary.images !== selectedImages)
        throw new SelfCheckError(
          `wrote ${built.summary.images} images but ${selectedImages} were selected`,
        );
      if (built.imageEntries !== built.summary.imageMembers)
        throw new SelfCheckError(
          `wrote ${built.imageEntries} image files but the annotations reference ${built.summary.imageMembers}`,
        );
      if (row.includeImages && built.imageEntries !== selectedImages)
        throw new SelfCheckError(
          `wrote ${built.imageEntries} image files for ${selectedImages} images`,
        );
      if (stored.size !== built.bytes)
        throw new SelfCheckError(`stored ${stored.size} bytes but the ZIP has ${built.bytes}`);

      const completedAt = now();
      const completed = await completeExport(deps.db, {
        exportId,
        attempt,
        blobKey: key,
        sizeBytes: stored.size,
        sha256: stored.sha256,
        imageCount: built.summary.images,
        annotationCount: built.summary.annotations,
        completedAt,
        expiresAt: new Date(completedAt.getTime() + (deps.retentionSeconds ?? 7 * DAY) * 1000),
      });
      if (!completed) throw new ExportCancelledError();
      await removeSupersededAttempts(deps, exportId);
      return { status: "completed", row: completed };
    } finally {
      clearInterval(updateProgress);
    }
  } catch (error) {
    await deps.storage.delete(key).catch(() => undefined);
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    if (reason instanceof ExportCancelledError) {
      const current = await removeSupersededAttempts(deps, exportId);
      return {
        status: "skipped",
        reason:
          current === null ? "the export was deleted" : "a newer attempt took the export over",
      };
    }
    const message =
      reason instanceof WorkerShutdownError ? reason.message : describeBuildError(reason);
    // A stopping worker hands the build back even on the last attempt: the job expires and
    // is retried (or dead-lettered), so the row never stays in processing.
    const retry =
      reason instanceof WorkerShutdownError ||
      ((isTransient(reason) || reason instanceof RetryableExportError) && !options.finalAttempt);
    if (retry) {
      await releaseExport(deps.db, {
        exportId,
        attempt,
        errorMessage: `retrying: ${message}`,
      }).catch(() => undefined);
      throw new RetryableExportError(message, { cause: reason });
    }
    // No row to fail: deleted before the heartbeat noticed, or taken over by a newer attempt.
    if (!(await failExport(deps.db, { exportId, attempt, errorMessage: message })))
      return { status: "skipped", reason: "the export was deleted or taken over" };
    await removeSupersededAttempts(deps, exportId);
    return { status: "failed", message };
  } finally {
    clearInterval(heartbeat);
    if (timeLimit) clearTimeout(timeLimit);
  }
}

/**
 * Deletes what attempts of this export left in storage that can never be published: a worker
 * killed after its upload, before publishing, or a build taken over while it uploaded. The row
 * decides, never the caller (isSupersededAttempt), so a newer attempt's ZIP, published or about
 * to be, is never taken, whoever calls this and whenever. Best effort: storage may be what
 * failed. Returns the row it decided by (null: the export was deleted), or undefined when it
 * could not read it.
 */
async function removeSupersededAttempts(
  deps: Pick<ExporterDeps, "db" | "storage">,
  exportId: string,
): Promise<ExportRow | null | undefined> {
  let row: ExportRow | null;
  try {
    row = await getExportById(deps.db, { exportId });
  } catch {
    return undefined;
  }
  try {
    for await (const item of deps.storage.list(exportBlobPrefix(exportId)))
      if (isSupersededAttempt(exportId, item.key, row)) await deps.storage.delete(item.key);
  } catch {
    // Left for the next build of this export, or for garbage collection.
  }
  return row;
}

/**
 * Both results, or the error that caused the failure. When one side fails the other is cut
 * off and fails too, with an abort or a premature close, sometimes first: a full disk must be
 * reported as a full disk, not as "the operation was aborted". So once one side fails, the
 * other gets a moment to settle (a put removes its temp file, and its error may be the cause),
 * but never more than a second: it may be waiting for an image that will not come.
 */
async function bothOrRootCause<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const outcome = <T>(p: Promise<T>) =>
    p.then(
      () => null,
      (error: unknown) => ({ error }),
    );
  const [first, second] = [outcome(a), outcome(b)];
  const failed = await Promise.race([first, second]);
  if (!failed) return Promise.all([a, b]);
  const other = await Promise.race([
    Promise.all([first, second]).then(([x, y]) => (x === failed ? y : x)),
    new Promise<null>((resolve) => setTimeout(resolve, 1_000, null)),
  ]);
  const errors = [failed.error, ...(other ? [other.error] : [])];
  throw errors.find((error) => !isKnockOnError(error)) ?? errors[0];
}

function isKnockOnError(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  return name === "AbortError" || code === "ABORT_ERR" || code === "ERR_STREAM_PREMATURE_CLOSE";
}

function sameCounts(before: ExportImageCount[], after: ExportImageCount[]): boolean {
  const key = (counts: ExportImageCount[]) =>
    JSON.stringify(counts.map((c) => [c.split, c.images]));
  return key(before) === key(after);
}
