// A dataset of several pages (more images than EXPORT_PAGE_SIZE) through every format with
// images: each page's files must be found while the writer is on it, nothing lost or doubled
// at page boundaries; and a slow build reports its progress at least once a second.
import { getExportById, type Db, type DbHandle } from "@pictograph/db";
import { testBackends } from "@pictograph/db/testing";
import { formatModules } from "@pictograph/formats";
import { importDifferences, readAll, roundTripExpectations } from "@pictograph/formats/testing";
import { FORMATS, type Format } from "@pictograph/schema";
import { createLocalBlobStore, type LocalBlobStore } from "@pictograph/storage";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createExportRow,
  downloadZip,
  storeDataset,
  type StoredDataset,
} from "../test/fixture-dataset";
import { GatedStore } from "../test/gated-store";
import { generatedClasses, generatedImages } from "../test/generated-images";
import { zipMemberMethods } from "../test/zip-methods";
import { buildExport } from "./build-export";
import { EXPORT_PAGE_SIZE } from "./export-source";

const COUNT = EXPORT_PAGE_SIZE + 17;
const images = generatedImages(COUNT);
const classes = generatedClasses;
const inPathOrder = [...images].sort((a, b) =>
  Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)),
);

describe.each(testBackends(process.env.TEST_DATABASE_URL))(
  "a dataset of several pages on $name",
  (backend) => {
    let handle: DbHandle;
    let db: Db;
    let dir: string;
    let storage: LocalBlobStore;
    let dataset: StoredDataset;

    beforeAll(async () => {
      handle = await backend.open();
      db = handle.db;
      dir = await mkdtemp(join(tmpdir(), "pictograph-exporter-scale-"));
      storage = createLocalBlobStore({ dir });
      dataset = await storeDataset(db, storage, {
        name: "many",
        images,
        classes,
        shareIdenticalFiles: true,
      });
    });

    afterAll(async () => {
      await handle?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it.each(FORMATS as readonly Format[])(
      "%s with images reads back every image and file",
      async (format) => {
        const created = await createExportRow(db, dataset, {
          format,
          includeImages: true,
          statusFilter: "all",
        });
        expect(await buildExport({ db, storage, workerId: "test" }, created.id)).toMatchObject({
          status: "completed",
        });
        const row = (await getExportById(db, { exportId: created.id }))!;
        expect(row.imageCount).toBe(COUNT);
        const zip = await downloadZip(storage, row.blobKey!);
        try {
          const methods = zipMemberMethods(zip.path);
          const imageMembers = [...methods].filter(([name]) => /\.(jpg|png)$/.test(name));
          expect(imageMembers).toHaveLength(COUNT);
          expect(imageMembers.every(([, method]) => method === "stor")).toBe(true);
          const result = await formatModules[format].read(zip.archive);
          const read = await readAll(result);
          const expected = roundTripExpectations[format](inPathOrder, classes, {
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
          const last = read.find((r) => r.image.path === inPathOrder.at(-1)!.path)!;
          expect(Buffer.from(await zip.archive.read(last.file!))).toEqual(
            Buffer.from(dataset.bytesOf.get(last.image.path)!),
          );
        } finally {
          await zip.close();
        }
      },
    );

    it("pages a class-filtered selection without losing or doubling images", async () => {
      const created = await createExportRow(db, dataset, {
        format: "pictograph",
        includeImages: false,
        statusFilter: "all",
        classFilter: ["sign"],
      });
      expect(await buildExport({ db, storage, workerId: "test" }, created.id)).toMatchObject({
        status: "completed",
      });
      const row = (await getExportById(db, { exportId: created.id }))!;
      const zip = await downloadZip(storage, row.blobKey!);
      try {
        const read = await readAll(await formatModules.pictograph.read(zip.archive));
        const expected = roundTripExpectations.pictograph(inPathOrder, classes, {
          class_filter: ["sign"],
          status_filter: "all",
          include_images: false,
        });
        expect(read).toHaveLength(COUNT);
        expect(
          importDifferences(
            read.map((r) => r.image),
            expected,
          ),
        ).toEqual([]);
        expect(row.annotationCount).toBe(
          expected.images.reduce((sum, i) => sum + i.annotations.length, 0),
        );
      } finally {
        await zip.close();
      }
    });

    it("saves its progress at least once a second while it builds", async () => {
      // Every image read takes a while, so the build lasts a few seconds even with the next
      // images opened while one is written (writeExportZip opens up to 8 ahead).
      const slow = new GatedStore(storage, { readDelayMs: 30 });
      const created = await createExportRow(db, dataset, {
        format: "pictograph",
        includeImages: true,
        statusFilter: "all",
      });
      const seen: Array<{ at: number; progress: number; heartbeat: number }> = [];
      let building = true;
      const watching = (async () => {
        while (building) {
          const row = (await getExportById(db, { exportId: created.id }))!;
          if (row.status === "processing")
            seen.push({
              at: Date.now(),
              progress: row.progress,
              heartbeat: row.heartbeatAt!.getTime(),
            });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const outcome = await buildExport({ db, storage: slow, workerId: "test" }, created.id);
      building = false;
      await watching;
      expect(outcome).toMatchObject({ status: "completed" });
      expect((await getExportById(db, { exportId: created.id }))!.progress).toBe(100);

      const progress = seen.map((s) => s.progress);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(new Set(progress.filter((p) => p > 0 && p < 100)).size).toBeGreaterThanOrEqual(2);
      // While processing, the saved heartbeat is never more than ~1 s (plus a busy machine's
      // slack) behind the moment it was read.
      const heartbeats = [...new Set(seen.map((s) => s.heartbeat))];
      expect(heartbeats.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < heartbeats.length; i++)
        expect(heartbeats[i]! - heartbeats[i - 1]!).toBeLessThan(2_000);
    });
  },
);
