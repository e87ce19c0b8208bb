// The database source on a dataset of several pages: every pass yields the selected images
// once, in byte order, with the right files; the next pages are read while the current one is
// consumed, never more than PAGES_AHEAD ahead; images added during a pass still come out in
// order; a pass that needs no annotations gets none.
import { executeSqlText, insertImages, type Db, type DbHandle, type DbOrTx } from "@pictograph/db";
import { testBackends } from "@pictograph/db/testing";
import type { DatasetImage, ExportOptions } from "@pictograph/schema";
import { createLocalBlobStore } from "@pictograph/storage";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeDataset, type StoredDataset } from "../test/fixture-dataset";
import { generatedClasses, generatedImages } from "../test/generated-images";
import { DatasetChangedError } from "./build-errors";
import { databaseExportSource, EXPORT_PAGE_SIZE, PAGES_AHEAD } from "./export-source";

const COUNT = 3 * EXPORT_PAGE_SIZE + 3;
const PAGES = 4;
const images = generatedImages(COUNT);
const inPathOrder = [...images].sort((a, b) =>
  Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)),
);
const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const options: ExportOptions = {
  format: "coco",
  include_images: true,
  class_filter: null,
  status_filter: "all",
};

describe.each(testBackends(process.env.TEST_DATABASE_URL))(
  "the database export source on $name",
  (backend) => {
    let handle: DbHandle;
    let db: Db;
    let dir: string;
    let dataset: StoredDataset;
    /** Export page statements sent so far. */
    let pageQueries = 0;

    beforeAll(async () => {
      handle = await backend.open({
        logger: {
          logQuery: (query) =>
            void (/FROM images i\s+WHERE .* ORDER BY i\.path/s.test(query) && pageQueries++),
        },
      });
      db = handle.db;
      dir = await mkdtemp(join(tmpdir(), "pictograph-export-source-"));
      dataset = await storeDataset(db, createLocalBlobStore({ dir }), {
        name: "pages",
        images,
        classes: generatedClasses,
        shareIdenticalFiles: true,
      });
    });

    afterAll(async () => {
      await handle?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const sourceParams = (from: DbOrTx = db, stored: StoredDataset = dataset) => ({
      db: from,
      datasetId: stored.datasetId,
      datasetName: stored.name,
      classes: generatedClasses,
      classNamesById: stored.classNamesById,
      classIds: null,
      options,
      splitCounts: { train: 0, val: 0, test: 0, none: 0 },
      exportedAt: new Date(0),
      signal: new AbortController().signal,
    });
    const sourceOf = (from?: DbOrTx, stored?: StoredDataset) =>
      databaseExportSource(sourceParams(from, stored));

    it("yields every image once in byte order with its file, reading PAGES_AHEAD pages ahead", async () => {
      const source = sourceOf();
      const yielded: DatasetImage[] = [];
      pageQueries = 0;
      for await (const image of source.images()) {
        const page = Math.floor(yielded.length / EXPORT_PAGE_SIZE);
        // The page being yielded and the next PAGES_AHEAD have been asked for; never more.
        expect(pageQueries).toBe(Math.min(page + 1 + PAGES_AHEAD, PAGES));
        const file = source.storedFileOf(image);
        expect(file?.blobKey).toBeTruthy();
        expect(file?.sha256).toBe(sha256Of(dataset.bytesOf.get(image.path)!));
        yielded.push(image);
      }
      expect(pageQueries).toBe(PAGES);
      expect(yielded).toEqual(inPathOrder);
      expect(source.yielded).toBe(COUNT);
    });

    it("yields images added during a pass where they belong, a range longer than a page included", async () => {
      const growing = await storeDataset(db, createLocalBlobStore({ dir }), {
        name: "growing",
        images,
        classes: generatedClasses,
        shareIdenticalFiles: true,
      });
      // After every original path: they fall in the last range, cut when it held 3 images.
      const added = Array.from({ length: EXPORT_PAGE_SIZE + 100 }, (_, i) => ({
        path: `zz/${String(i).padStart(4, "0")}.jpg`,
        width: 10,
        height: 10,
      }));
      const source = sourceOf(db, growing);
      const paths: string[] = [];
      for await (const image of source.images()) {
        if (paths.length === 0)
          await insertImages(db, { datasetId: growing.datasetId, images: added });
        paths.push(image.path);
      }
      expect(paths).toEqual([
        ...inPathOrder.map((image) => image.path),
        ...added.map((a) => a.path),
      ]);
    });

    it("gives a pass over the images alone the same images without their annotations", async () => {
      const source = sourceOf();
      const bare: DatasetImage[] = [];
      for await (const image of source.images({ split: "train", annotations: false })) {
        expect(source.storedFileOf(image)?.blobKey).toBeTruthy();
        bare.push(image);
      }
      const train = inPathOrder.filter((image) => image.split === "train");
      expect(train.some((image) => image.annotations.length > 0)).toBe(true);
      expect(bare).toEqual(train.map((image) => ({ ...image, annotations: [] })));
    });

    it("fails the pass as a changed dataset on an annotation of a class it was not given", async () => {
      // As when a class is created, and used, after the build read the dataset's classes.
      const missing = [...dataset.classNamesById.keys()][0];
      const source = databaseExportSource({
        ...sourceParams(),
        classNamesById: new Map([...dataset.classNamesById].filter(([id]) => id !== missing)),
      });
      const pass = async () => {
        for await (const _image of source.images()) void _image;
      };
      await expect(pass()).rejects.toBeInstanceOf(DatasetChangedError);
    });

    it("fails the pass, not the process, when a read-ahead fails while a page is being written", async () => {
      const failure = db.transaction(async (tx) => {
        const source = sourceOf(tx);
        let seen = 0;
        for await (const _image of source.images()) {
          seen++;
          // Pages 2 and 3 are already asked for; this breaks the transaction, so page 4's
          // read-ahead fails while page 2 is still being consumed, slowly.
          if (seen === 1) await executeSqlText(tx, "SELECT 1 / 0").catch(() => undefined);
          if (seen === EXPORT_PAGE_SIZE + 1) await sleep(50);
        }
      });
      // drizzle names the failed query; the server's reason is its cause.
      await expect(failure).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/current transaction is aborted/) },
      });
    });

    it("stops reading when a pass is left early, with the read-ahead settled quietly", async () => {
      const source = sourceOf();
      pageQueries = 0;
      let seen = 0;
      for await (const _image of source.images()) if (++seen === 3) break;
      expect(pageQueries).toBe(1 + PAGES_AHEAD);
      // The abandoned read-ahead finishes (or fails) without anyone waiting for it.
      const again: DatasetImage[] = [];
      for await (const image of source.images({ split: null })) again.push(image);
      expect(again).toEqual(inPathOrder.filter((image) => image.split === null));
    });
  },
);
