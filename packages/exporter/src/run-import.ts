// Runs one import: reads the uploaded ZIP with the format's reader and writes what it yields
// into the dataset in bulk (a thousand images per batch, thousands of rows per statement).
// One reading streams into the database; nothing holds the whole dataset in memory.
// Images that already exist keep their file and get the imported annotations; new ones are
// created, with their file when the ZIP has it. The reader's problems become the report.
import {
  claimImport,
  findImagesByPath,
  getDatasetById,
  insertImages,
  listClasses,
  replaceAnnotations,
  replaceClasses,
  replaceImageFile,
  updateImport,
  type Db,
  type NewImage,
} from "@pictograph/db";
import {
  getFormat,
  openZipArchive,
  sniffImageType,
  type ImportedImage,
  type OpenedArchive,
  type ReadResult,
} from "@pictograph/formats";
import type { ClassDef, ImportProblem, ImportReport } from "@pictograph/schema";
import type { BlobStore } from "@pictograph/storage";
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { describeBuildError, isTransient, RetryableExportError } from "./build-errors";

export type ImporterDeps = { db: Db; storage: BlobStore; now?: () => Date };

const BATCH = 1000;
const MAX_REPORTED_PROBLEMS = 1000;

export type ImportOutcome = {
  status: "completed" | "failed" | "skipped";
  report?: ImportReport;
  message?: string;
};

export async function runImport(
  deps: ImporterDeps,
  importId: string,
  options: { finalAttempt?: boolean } = {},
): Promise<ImportOutcome> {
  const row = await claimImport(deps.db, { importId });
  if (!row) return { status: "skipped" };
  const dir = await mkdtemp(join(tmpdir(), "pictograph-import-"));
  let archive: OpenedArchive | null = null;
  try {
    const dataset = await getDatasetById(deps.db, { datasetId: row.datasetId });
    if (!dataset || !row.blobKey) return { status: "skipped" };
    const zipPath = join(dir, "upload.zip");
    await pipeline(await deps.storage.get(row.blobKey), createWriteStream(zipPath));
    try {
      archive = await openZipArchive(zipPath);
    } catch (error) {
      // Name the upload as the user knows it, never the server's temporary path.
      throw new ImportInputError((error as Error).message.replaceAll(zipPath, "the uploaded file"));
    }
    const format = getFormat(row.format);

    let result = await format.read(archive);
    let total = result.expectedImages;
    if (total === undefined) {
      // The reader cannot say: this reading counts, for progress, and a fresh one imports.
      total = await countImages(result);
      result = await format.read(archive);
    }
    await mergeClasses(deps.db, row.datasetId, result.classes);

    const report: ImportReport = {
      images: 0,
      annotations: 0,
      image_files: 0,
      problems: [],
      problems_truncated: 0,
    };
    let batch: ImportedImage[] = [];
    const flush = async () => {
      const written = await writeBatch(deps, row.datasetId, archive!, batch, report.problems);
      report.images += written.images;
      report.annotations += written.annotations;
      report.image_files += written.files;
      batch = [];
      await updateImport(deps.db, {
        importId,
        progress: Math.min(99, (100 * report.images) / Math.max(1, total)),
      });
    };
    for await (const item of result.images) {
      batch.push(item);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    const problems = [...archive.problems, ...result.problems, ...report.problems];
    report.problems = problems.slice(0, MAX_REPORTED_PROBLEMS);
    report.problems_truncated = Math.max(0, problems.length - MAX_REPORTED_PROBLEMS);
    await updateImport(deps.db, {
      importId,
      status: "completed",
      progress: 100,
      report,
      errorMessage: null,
      completedAt: (deps.now ?? (() => new Date()))(),
    });
    await deps.storage.delete(row.blobKey).catch(() => undefined);
    return { status: "completed", report };
  } catch (error) {
    const message =
      error instanceof ImportInputError
        ? error.message
        : describeBuildError(error).replace(/^export/, "import");
    if (isTransient(error) && !options.finalAttempt) {
      await updateImport(deps.db, {
        importId,
        status: "pending",
        errorMessage: `retrying: ${message}`,
      }).catch(() => undefined);
      throw new RetryableExportError(message, { cause: error });
    }
    await updateImport(deps.db, {
      importId,
      status: "failed",
      errorMessage: message,
      completedAt: new Date(),
    });
    return { status: "failed", message };
  } finally {
    await archive?.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

class ImportInputError extends Error {}

async function countImages(result: ReadResult): Promise<number> {
  let total = 0;
  for await (const _ of result.images) total++;
  return total;
}

/** Classes the archive has and the dataset lacks are appended; existing ones keep their place. */
async function mergeClasses(db: Db, datasetId: string, imported: ClassDef[]): Promise<void> {
  const existing = (await listClasses(db, { datasetId })).map(
    ({ id: _id, position: _position, ...definition }) => definition,
  );
  const known = new Set(existing.map((c) => c.name));
  const added = imported.filter((c) => !known.has(c.name));
  if (added.length) await replaceClasses(db, { datasetId, classes: [...existing, ...added] });
}

async function writeBatch(
  deps: ImporterDeps,
  datasetId: string,
  archive: OpenedArchive,
  batch: ImportedImage[],
  problems: ImportProblem[],
): Promise<{ images: number; annotations: number; files: number }> {
  if (batch.length === 0) return { images: 0, annotations: 0, files: 0 };
  const existing = new Map(
    (await findImagesByPath(deps.db, { datasetId, paths: batch.map((b) => b.image.path) })).map(
      (e) => [e.path, e],
    ),
  );
  let files = 0;
  const fresh: NewImage[] = [];
  for (const { image, file } of batch) {
    const stored =
      file && !existing.get(image.path)?.blobKey
        ? await storeImageFile(deps.storage, archive, file, problems)
        : null;
    if (stored) files++;
    const facts = stored ? { ...stored, width: image.width, height: image.height } : null;
    if (existing.has(image.path)) {
      if (facts) await replaceImageFile(deps.db, { datasetId, path: image.path, ...facts });
    } else {
      fresh.push({
        path: image.path,
        width: image.width,
        height: image.height,
        status: image.status,
        split: image.split,
        tags: image.tags,
        ...(facts ?? {}),
      });
    }
  }
  await insertImages(deps.db, { datasetId, images: fresh });
  const written = await replaceAnnotations(deps.db, {
    datasetId,
    images: batch.map(({ image }) => ({ path: image.path, annotations: image.annotations })),
  });
  return { images: batch.length, annotations: written.annotations, files };
}

async function storeImageFile(
  storage: BlobStore,
  archive: OpenedArchive,
  file: string,
  problems: ImportProblem[],
) {
  try {
    const head = await firstChunk(archive.open(file));
    const mime = sniffImageType(head);
    if (!mime) {
      problems.push({
        file,
        line: null,
        element: null,
        reason: "not a JPEG, PNG, WebP, GIF, BMP or TIFF image",
      });
      return null;
    }
    const blobKey = `images/imported/${randomUUID()}`;
    const put = await storage.put(blobKey, archive.open(file), { contentType: mime });
    return { blobKey, sha256: put.sha256, sizeBytes: put.size, mime };
  } catch (error) {
    problems.push({
      file,
      line: null,
      element: null,
      reason: `cannot store the image: ${(error as Error).message}`,
    });
    return null;
  }
}

async function firstChunk(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  for await (const chunk of stream) return chunk;
  return new Uint8Array(0);
}
