import {
  createDataset,
  createExport,
  completeExport,
  claimExport,
  insertImages,
  getExportById,
  releaseExport,
} from "@pictograph/db";
import { createTestWorkspace, testBackends, withTestDb } from "@pictograph/db/testing";
import { createBlobStore } from "@pictograph/storage";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collectGarbage } from "./collect-garbage";

describe.each(testBackends(process.env.TEST_DATABASE_URL))(
  "storage garbage collection ($name)",
  (backend) => {
    it("removes expired exports and unreferenced files, and keeps everything still in use", async () => {
      const dir = mkdtempSync(join(tmpdir(), "pictograph-gc-"));
      try {
        await withTestDb(backend, async ({ db }) => {
          const storage = createBlobStore({ driver: "local", dir });
          const workspace = await createTestWorkspace(db);
          const dataset = await createDataset(db, { workspaceId: workspace.id, name: "d" });
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
            datasetId: dataset.id,
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
          const publish = async (name: string, key: string, expiresAt: Date) => {
            const row = await createExport(db, {
              workspaceId: workspace.id,
              datasetId: dataset.id,
              name,
              format: "coco",
              includeImages: false,
              classFilter: null,
              statusFilter: "all",
            });
            await claimExport(db, { exportId: row.id, workerId: "test", staleAfterSeconds: 30 });
            await completeExport(db, {
              exportId: row.id,
              attempt: 1,
              blobKey: key,
              sizeBytes: 1,
              sha256: "0".repeat(64),
              imageCount: 0,
              annotationCount: 0,
              completedAt: new Date(),
              expiresAt,
            });
            return row.id;
          };
          const now = new Date();
          const live = await publish(
            "live",
            "exports/live/1.zip",
            new Date(now.getTime() + 86_400_000),
          );
          const old = await publish("old", "exports/old/1.zip", new Date(now.getTime() - 1000));

          const report = await collectGarbage({ db, storage, now: () => now }, { graceMs: 0 });

          expect(report).toMatchObject({ expiredExports: 1, orphans: 3 });
          const left: string[] = [];
          for await (const object of storage.list("")) left.push(object.key);
          expect(left.sort()).toEqual(["exports/live/1.zip", "images/d/kept"]);
          expect(await getExportById(db, { exportId: old })).toBeNull();
          expect((await getExportById(db, { exportId: live }))?.status).toBe("completed");
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("removes, however young, ZIPs of attempts their export's row says can never be published", async () => {
      const dir = mkdtempSync(join(tmpdir(), "pictograph-gc-"));
      try {
        await withTestDb(backend, async ({ db }) => {
          const storage = createBlobStore({ driver: "local", dir });
          const workspace = await createTestWorkspace(db);
          const dataset = await createDataset(db, { workspaceId: workspace.id, name: "d" });
          const newExport = (name: string) =>
            createExport(db, {
              workspaceId: workspace.id,
              datasetId: dataset.id,
              name,
              format: "coco",
              includeImages: false,
              classFilter: null,
              statusFilter: "all",
            });
          const claim = (exportId: string) =>
            claimExport(db, { exportId, workerId: "test", staleAfterSeconds: 30 });
          // Published by attempt 2: attempt 1 was killed after its upload.
          const done = await newExport("done");
          await claim(done.id);
          await releaseExport(db, { exportId: done.id, attempt: 1, errorMessage: "retrying" });
          await claim(done.id);
          await completeExport(db, {
            exportId: done.id,
            attempt: 2,
            blobKey: `exports/${done.id}/2.zip`,
            sizeBytes: 1,
            sha256: "0".repeat(64),
            imageCount: 0,
            annotationCount: 0,
            completedAt: new Date(),
            expiresAt: new Date(Date.now() + 86_400_000),
          });
          // Attempt 2 is building; attempt 1 was taken over after storing its ZIP.
          const building = await newExport("building");
          await claim(building.id);
          await releaseExport(db, { exportId: building.id, attempt: 1, errorMessage: "retrying" });
          await claim(building.id);
          const gone = "00000000-0000-4000-8000-000000000000";
          const keys = [
            ...[1, 2, 3].map((n) => `exports/${done.id}/${n}.zip`),
            ...[1, 2].map((n) => `exports/${building.id}/${n}.zip`),
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
              `exports/${done.id}/2.zip`,
              `exports/${done.id}/3.zip`,
              `exports/${building.id}/2.zip`,
              `exports/${gone}/1.zip`,
              "exports/not-an-id/1.zip",
            ].sort(),
          );
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("leaves files younger than the grace period alone: their rows may still be on the way", async () => {
      const dir = mkdtempSync(join(tmpdir(), "pictograph-gc-"));
      try {
        await withTestDb(backend, async ({ db }) => {
          const storage = createBlobStore({ driver: "local", dir });
          await storage.put("exports/new/1.zip", new Uint8Array([1]));
          const report = await collectGarbage({ db, storage });
          expect(report.orphans).toBe(0);
          expect(await storage.stat("exports/new/1.zip")).not.toBeNull();
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
