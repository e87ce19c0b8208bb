import {
  createDataset,
  createExport,
  completeExport,
  claimExport,
  insertImages,
  getExportById,
  releaseExport,
  type Db,
} from "@pictograph/db";
import { createTestWorkspace, testBackends, withTestDb } from "@pictograph/db/testing";
import { createBlobStore, type BlobStore } from "@pictograph/storage";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collectGarbage } from "./collect-garbage";

type Scratch = { db: Db; storage: BlobStore; workspaceId: string; datasetId: string };

/** A test database with a workspace and dataset `d`, and local storage of its own. */
async function withScratch(
  backend: Parameters<typeof withTestDb>[0],
  run: (scratch: Scratch) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "pictograph-gc-"));
  try {
    await withTestDb(backend, async ({ db }) => {
      const workspaceId = (await createTestWorkspace(db)).id;
      const datasetId = (await createDataset(db, { workspaceId, name: "d" })).id;
      await run({ db, storage: createBlobStore({ driver: "local", dir }), workspaceId, datasetId });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function newExport({ db, workspaceId, datasetId }: Scratch, name: string) {
  return createExport(db, {
    workspaceId,
    datasetId,
    name,
    format: "coco",
    includeImages: false,
    classFilter: null,
    statusFilter: "all",
  });
}

function claim(db: Db, exportId: string) {
  return claimExport(db, { exportId, workerId: "test", staleAfterSeconds: 30 });
}

function publish(db: Db, exportId: string, attempt: number, blobKey: string, expiresAt: Date) {
  return completeExport(db, {
    exportId,
    attempt,
    blobKey,
    sizeBytes: 1,
    sha256: "0".repeat(64),
    imageCount: 0,
    annotationCount: 0,
    completedAt: new Date(),
    expiresAt,
  });
}

describe.each(testBackends(process.env.TEST_DATABASE_URL))(
  "storage garbage collection ($name)",
  (backend) => {
    it("removes expired exports and unreferenced files, and keeps everything still in use", () =>
      withScratch(backend, async (scratch) => {
        const { db, storage } = scratch;
        for (const key of [
          "images/d/kept",
          "images/d/orphan",
          "exports/x/1.zip",
          "exports/live/1.zip",
          "exports/old/1.zip",
          "imports/d/done.zip",
        ])
          await storage.put(key, new TextEncoder().encode(key));
        await insertImages(db, {
          datasetId: scratch.datasetId,
          images: [
            {
              path: "a.png",
              width: 1,
              height: 1,
              blobKey: "images/d/kept",
              sha256: "0".repeat(64),
              sizeBytes: 1,
              mime: "image/png",
            },
          ],
        });
        const published = async (name: string, key: string, expiresAt: Date) => {
          const row = await newExport(scratch, name);
          await claim(db, row.id);
          await publish(db, row.id, 1, key, expiresAt);
          return row.id;
        };
        const now = new Date();
        const live = await published(
          "live",
          "exports/live/1.zip",
          new Date(now.getTime() + 86_400_000),
        );
        const old = await published("old", "exports/old/1.zip", new Date(now.getTime() - 1000));

        const report = await collectGarbage({ db, storage, now: () => now }, { graceMs: 0 });

        expect(report).toMatchObject({ expiredExports: 1, orphans: 3 });
        const left: string[] = [];
        for await (const object of storage.list("")) left.push(object.key);
        expect(left.sort()).toEqual(["exports/live/1.zip", "images/d/kept"]);
        expect(await getExportById(db, { exportId: old })).toBeNull();
        expect((await getExportById(db, { exportId: live }))?.status).toBe("completed");
      }));

    it("removes, however young, ZIPs of attempts their export's row says can never be published", () =>
      withScratch(backend, async (scratch) => {
        const { db, storage } = scratch;
        // Each on its second attempt: the first stored its ZIP, then was killed or taken over.
        const secondAttempt = async (name: string) => {
          const row = await newExport(scratch, name);
          await claim(db, row.id);
          await releaseExport(db, { exportId: row.id, attempt: 1, errorMessage: "retrying" });
          await claim(db, row.id);
          return row.id;
        };
        const done = await secondAttempt("done");
        await publish(db, done, 2, `exports/${done}/2.zip`, new Date(Date.now() + 86_400_000));
        const building = await secondAttempt("building");
        const gone = "00000000-0000-4000-8000-000000000000";
        const keys = [
          ...[1, 2, 3].map((n) => `exports/${done}/${n}.zip`),
          ...[1, 2].map((n) => `exports/${building}/${n}.zip`),
          `exports/${gone}/1.zip`,
          "exports/not-an-id/1.zip",
        ];
        for (const key of keys) await storage.put(key, new Uint8Array([1]));

        const report = await collectGarbage({ db, storage });

        expect(report.orphans).toBe(2);
        const left: string[] = [];
        for await (const object of storage.list("")) left.push(object.key);
        // Kept: the published ZIP, the ZIPs of attempts that may still publish (the one
        // building, the next build of the completed export), and young ZIPs without a row,
        // which wait for the grace period as any other file.
        expect(left.sort()).toEqual(
          [
            `exports/${done}/2.zip`,
            `exports/${done}/3.zip`,
            `exports/${building}/2.zip`,
            `exports/${gone}/1.zip`,
            "exports/not-an-id/1.zip",
          ].sort(),
        );
      }));

    it("leaves files younger than the grace period alone: their rows may still be on the way", () =>
      withScratch(backend, async ({ db, storage }) => {
        await storage.put("exports/new/1.zip", new Uint8Array([1]));
        const report = await collectGarbage({ db, storage });
        expect(report.orphans).toBe(0);
        expect(await storage.stat("exports/new/1.zip")).not.toBeNull();
      }));
  },
);
