// A build against a real S3-compatible server (s3rver): image files streamed from the bucket
// into a multipart upload, the ZIP downloaded through a presigned URL and read back; and a
// build cancelled mid-upload leaves neither an object nor an unfinished multipart upload.
import { deleteExport, getExportById, type Db, type DbHandle } from "@pictograph/db";
import { testBackends } from "@pictograph/db/testing";
import { formatModules, openZipArchive } from "@pictograph/formats";
import {
  fixtureClasses,
  fixtureImages,
  importDifferences,
  readAll,
  roundTripExpectations,
  stubImageBytes,
} from "@pictograph/formats/testing";
import { createBlobStore, type S3BlobStore } from "@pictograph/storage";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createExportRow,
  listKeys,
  storeDataset,
  type StoredDataset,
} from "../test/fixture-dataset";
import { GatedStore } from "../test/gated-store";
import { startS3TestServer, type S3TestServer } from "../test/s3-server";
import { waitFor } from "../test/wait-for";
import { buildExport } from "./build-export";

// Incompressible bytes after a valid image: 1.5 MB per file, so the ZIP (over 5 MiB) goes up
// as a multipart upload. Readers measure the image from its header only.
const bigImage = (image: (typeof fixtureImages)[number]) =>
  Buffer.concat([stubImageBytes(image), randomBytes(1_500_000)]);

describe.each(testBackends(process.env.TEST_DATABASE_URL))(
  "a build into S3 on $name",
  (backend) => {
    let handle: DbHandle;
    let db: Db;
    let server: S3TestServer;
    let storage: S3BlobStore;
    let dataset: StoredDataset;
    let dir: string;

    beforeAll(async () => {
      handle = await backend.open();
      db = handle.db;
      server = await startS3TestServer();
      storage = createBlobStore(server.config());
      dataset = await storeDataset(db, storage, { bytesFor: bigImage });
      dir = await mkdtemp(join(tmpdir(), "pictograph-s3-build-"));
    });

    afterAll(async () => {
      await handle?.close();
      await server?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("publishes a ZIP a presigned URL downloads, byte for byte what the row describes", async () => {
      const uploadsBefore = server.multipartUploadsStarted();
      const created = await createExportRow(db, dataset, {
        format: "coco",
        includeImages: true,
        statusFilter: "all",
      });
      expect(await buildExport({ db, storage, workerId: "test" }, created.id)).toMatchObject({
        status: "completed",
      });
      const row = (await getExportById(db, { exportId: created.id }))!;
      expect(row.sizeBytes).toBeGreaterThan(5 * 1024 * 1024);
      expect(server.multipartUploadsStarted()).toBeGreaterThan(uploadsBefore);

      const url = await storage.presignGet(row.blobKey!, {
        expiresInSeconds: 3600,
        fileName: "fixture-coco.zip",
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*X-Amz-Signature=/);
      const response = await fetch(url!);
      expect(response.status).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.length).toBe(row.sizeBytes);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(row.sha256);

      const path = join(dir, "download.zip");
      await writeFile(path, bytes);
      const archive = await openZipArchive(path);
      try {
        const read = await readAll(await formatModules.coco.read(archive));
        const expected = roundTripExpectations.coco(fixtureImages, fixtureClasses, {
          class_filter: null,
          status_filter: "all",
          include_images: true,
        });
        expect(
          importDifferences(
            read.map((r) => r.image),
            expected,
          ),
        ).toEqual([]);
        // (Buffer.equals: a deep toEqual over megabytes takes vitest tens of seconds.)
        for (const item of read)
          expect(
            Buffer.from(await archive.read(item.file!)).equals(
              dataset.bytesOf.get(item.image.path)!,
            ),
            item.image.path,
          ).toBe(true);
      } finally {
        await archive.close();
      }
      expect(await listKeys(storage, "exports/")).toEqual([row.blobKey]);
      await storage.delete(row.blobKey!);
    });

    it("leaves no object and no unfinished multipart upload when deleted mid-upload", async () => {
      // The ZIP is past its first 5 MiB part when the build stops at the last image.
      const lastPath = [...fixtureImages]
        .map((i) => i.path)
        .sort()
        .at(-1)!;
      const lastKey = (await listKeys(storage, `images/${dataset.datasetId}/`))[
        fixtureImages.findIndex((i) => i.path === lastPath)
      ]!;
      const gated = new GatedStore(storage, { reads: (key) => key === lastKey });
      const uploadsBefore = server.multipartUploadsStarted();
      const created = await createExportRow(db, dataset, {
        format: "pictograph",
        includeImages: true,
        statusFilter: "all",
      });
      const building = buildExport(
        { db, storage: gated, workerId: "test", heartbeatMs: 100 },
        created.id,
      );
      await waitFor("the build to reach the last image", () => gated.waiting > 0);
      await waitFor(
        "the multipart upload to start",
        () => server.multipartUploadsStarted() > uploadsBefore,
      );
      await deleteExport(db, { exportId: created.id });
      expect(await building).toEqual({ status: "skipped", reason: "the export was deleted" });
      gated.open();
      expect(await listKeys(storage, "exports/")).toEqual([]);
      // Nothing unfinished is left to clean up.
      expect(await storage.removeStaleTemp(0)).toBe(0);
    });
  },
);
