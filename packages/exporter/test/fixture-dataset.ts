// Test support: the formats fixture (every case a format can get wrong) stored the way the
// API stores a dataset: rows through the db queries, image files in a BlobStore. For tests
// only; production code never imports this module.
import {
  createDataset,
  createExport,
  insertAnnotations,
  insertImages,
  replaceClasses,
  type Db,
  type DbOrTx,
  type ExportRow,
  type NewExport,
} from "@pictograph/db";
import { createTestWorkspace } from "@pictograph/db/testing";
import {
  FIXTURE_DATASET,
  fixtureClasses,
  fixtureImages,
  stubImageBytes,
} from "@pictograph/formats/testing";
import type { ClassDef, DatasetImage } from "@pictograph/schema";
import type { BlobStore } from "@pictograph/storage";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { openZipArchive, type OpenedArchive } from "@pictograph/formats";

export type StoredDataset = {
  workspaceId: string;
  datasetId: string;
  name: string;
  classes: ClassDef[];
  /** Class id → name, as an export source takes them. */
  classNamesById: Map<string, string>;
  images: DatasetImage[];
  /** The bytes stored for each image path. */
  bytesOf: Map<string, Uint8Array>;
};

/**
 * Stores `images` (default: the formats fixture) with their classes and annotations, each
 * image's file in `storage` under `images/<dataset id>/<n>` like an upload. `withoutFile`
 * paths get a row but no stored file.
 */
export async function storeDataset(
  db: Db,
  storage: BlobStore,
  options: {
    name?: string;
    workspaceId?: string;
    images?: DatasetImage[];
    classes?: ClassDef[];
    withoutFile?: string[];
    bytesFor?: (image: DatasetImage) => Uint8Array;
    /** Images with the same bytes share one stored file (thousands of images, few puts). */
    shareIdenticalFiles?: boolean;
  } = {},
): Promise<StoredDataset> {
  const images = options.images ?? fixtureImages;
  const classes = options.classes ?? fixtureClasses;
  const bytesFor = options.bytesFor ?? stubImageBytes;
  const workspaceId = options.workspaceId ?? (await createTestWorkspace(db)).id;
  const name = options.name ?? FIXTURE_DATASET;
  const datasetId = (await createDataset(db, { workspaceId, name })).id;
  const classRows = await replaceClasses(db, { datasetId, classes });
  const classNamesById = new Map(classRows.map((c) => [c.id, c.name]));
  const bytesOf = new Map<string, Uint8Array>();
  const keyOfContent = new Map<string, Promise<{ key: string; sha256: string; size: number }>>();
  const rows = await Promise.all(
    images.map(async ({ annotations: _annotations, ...image }, n) => {
      if (options.withoutFile?.includes(image.path)) return image;
      const bytes = bytesFor({ ...image, annotations: [] });
      bytesOf.set(image.path, bytes);
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      const storeOnce = async () => {
        const key = `images/${datasetId}/${n}`;
        return { key, ...(await storage.put(key, bytes)) };
      };
      let stored: Promise<{ key: string; sha256: string; size: number }>;
      if (!options.shareIdenticalFiles) stored = storeOnce();
      else {
        stored = keyOfContent.get(sha256) ?? storeOnce();
        keyOfContent.set(sha256, stored);
      }
      const { key, size } = await stored;
      const mime = image.path.endsWith(".png") ? "image/png" : "image/jpeg";
      return { ...image, blobKey: key, sha256, sizeBytes: size, mime };
    }),
  );
  await insertImages(db, { datasetId, images: rows });
  await insertAnnotations(db, {
    datasetId,
    images: images.map((image) => ({ path: image.path, annotations: image.annotations })),
  });
  return { workspaceId, datasetId, name, classes, classNamesById, images, bytesOf };
}

/** An export row as the API creates it (defaults: pictograph, images, every status). */
export async function createExportRow(
  db: DbOrTx,
  dataset: Pick<StoredDataset, "workspaceId" | "datasetId">,
  options: Partial<Omit<NewExport, "workspaceId" | "datasetId">> = {},
): Promise<ExportRow> {
  return createExport(db, {
    workspaceId: dataset.workspaceId,
    datasetId: dataset.datasetId,
    name: options.name ?? `export-${Math.random().toString(36).slice(2, 10)}`,
    format: options.format ?? "pictograph",
    includeImages: options.includeImages ?? true,
    classFilter: options.classFilter ?? null,
    statusFilter: options.statusFilter ?? "all",
  });
}

export type DownloadedZip = {
  path: string;
  bytes: Buffer;
  sha256: string;
  archive: OpenedArchive;
  close(): Promise<void>;
};

/** Reads a stored ZIP back through the store (never its files directly) and opens it. */
export async function downloadZip(storage: BlobStore, key: string): Promise<DownloadedZip> {
  const dir = await mkdtemp(join(tmpdir(), "pictograph-export-test-"));
  const path = join(dir, "export.zip");
  await pipeline(await storage.get(key), createWriteStream(path));
  const bytes = await readFile(path);
  const archive = await openZipArchive(path);
  return {
    path,
    bytes,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    archive,
    async close() {
      await archive.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every key under `prefix`, sorted. */
export async function listKeys(storage: BlobStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of storage.list(prefix)) keys.push(item.key);
  return keys.sort();
}
