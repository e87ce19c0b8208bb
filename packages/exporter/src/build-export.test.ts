// buildExport end to end on a stored dataset: every format × with/without images × with/without
// a class filter × every status filter gives a ZIP that the format's own reader reads back as
// the dataset (FORMATS.md D1, D3), image files stored byte for byte and not deflated again,
// and a row that says exactly what was published.
import { getExportById, type Db, type DbHandle } from "@pictograph/db";
import { testBackends } from "@pictograph/db/testing";
import { formatModules } from "@pictograph/formats";
import {
  collectExport,
  fixtureClasses,
  fixtureImages,
  importDifferences,
  memorySource,
  readAll,
  roundTripExpectations,
} from "@pictograph/formats/testing";
import { FORMATS, STATUS_FILTERS, type Format, type StatusFilter } from "@pictograph/schema";
import { createLocalBlobStore, type LocalBlobStore } from "@pictograph/storage";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createExportRow,
  downloadZip,
  listKeys,
  storeDataset,
  type StoredDataset,
} from "../test/fixture-dataset";
import { zipMemberMethods } from "../test/zip-methods";
import { buildExport } from "./build-export";

const CLASS_FILTERS: Array<string[] | null> = [null, ["person", "car"]];
const cases: Array<[Format, boolean, string[] | null, StatusFilter]> = FORMATS.flatMap((format) =>
  [true, false].flatMap((images) =>
    CLASS_FILTERS.flatMap((classes) =>
      STATUS_FILTERS.map(
        (status) =>
          [format, images, classes, status] as [Format, boolean, string[] | null, StatusFilter],
      ),
    ),
  ),
);

const DAY_MS = 24 * 60 * 60 * 1000;
// The exporter pages images in path (byte) order; first-seen orders (CSV's class list) follow it.
const imagesInPathOrder = [...fixtureImages].sort((a, b) =>
  Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)),
);

describe.each(testBackends(process.env.TEST_DATABASE_URL))("buildExport on $name", (backend) => {
  let handle: DbHandle;
  let db: Db;
  let dir: string;
  let storage: LocalBlobStore;
  let dataset: StoredDataset;

  beforeAll(async () => {
    handle = await backend.open();
    db = handle.db;
    dir = await mkdtemp(join(tmpdir(), "pictograph-exporter-"));
    storage = createLocalBlobStore({ dir });
    dataset = await storeDataset(db, storage);
  });

  afterAll(async () => {
    await handle?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(cases)(
    "%s, include_images %s, class_filter %j, status_filter %s",
    async (format, includeImages, classFilter, statusFilter) => {
      const created = await createExportRow(db, dataset, {
        format,
        includeImages,
        classFilter,
        statusFilter,
      });
      const outcome = await buildExport({ db, storage, workerId: "test" }, created.id);
      expect(outcome).toMatchObject({ status: "completed" });

      const options = {
        class_filter: classFilter,
        status_filter: statusFilter,
        include_images: includeImages,
      };
      const selected = fixtureImages.filter(
        (i) => statusFilter === "all" || i.status === statusFilter,
      );
      const row = (await getExportById(db, { exportId: created.id }))!;
      const zip = await downloadZip(storage, row.blobKey!);
      try {
        // What the format's own reader gets back is the dataset as the format holds it.
        const module = formatModules[format];
        const result = await module.read(zip.archive);
        const read = await readAll(result);
        const expected = roundTripExpectations[format](imagesInPathOrder, fixtureClasses, options);
        expect(result.classes).toEqual(expected.classes);
        expect(
          importDifferences(
            read.map((r) => r.image),
            expected,
          ),
        ).toEqual([]);
        expect(result.problems.map((p) => p.reason).sort()).toEqual([...expected.problems].sort());

        // Image files: one per selected image, the stored bytes exactly, STORED (not deflated).
        const methods = zipMemberMethods(zip.path);
        const imageMembers = [...methods.keys()].filter((name) => /\.(jpe?g|png)$/i.test(name));
        expect(imageMembers).toHaveLength(includeImages ? selected.length : 0);
        for (const member of imageMembers) expect(methods.get(member), member).toBe("stor");
        for (const item of read.filter((r) => r.file !== null))
          expect(Buffer.from(await zip.archive.read(item.file!))).toEqual(
            Buffer.from(dataset.bytesOf.get(item.image.path)!),
          );
        if (includeImages)
          expect(read.filter((r) => r.file !== null).length).toBe(expected.images.length);
        expect(methods.has("README.txt")).toBe(true);

        // The row describes exactly the ZIP that was published, counted as the format counts.
        const reference = await collectExport(
          module.write,
          memorySource(imagesInPathOrder, fixtureClasses, { format, ...options }),
        );
        expect(row).toMatchObject({
          status: "completed",
          progress: 100,
          imageCount: selected.length,
          annotationCount: reference.summary.annotations,
          sizeBytes: zip.bytes.length,
          sha256: zip.sha256,
          blobKey: `exports/${row.id}/1.zip`,
          errorMessage: null,
          attempts: 1,
          workerId: "test",
        });
        if (format === "pictograph")
          expect(row.annotationCount).toBe(
            read.reduce((sum, r) => sum + r.image.annotations.length, 0),
          );
        expect(row.expiresAt!.getTime() - row.completedAt!.getTime()).toBe(7 * DAY_MS);
        expect(await storage.stat(row.blobKey!)).toMatchObject({ size: zip.bytes.length });
      } finally {
        await zip.close();
      }
    },
  );

  it("published one ZIP per build and left no temporary file", async () => {
    const keys = await listKeys(storage, "exports/");
    expect(keys).toHaveLength(cases.length);
    expect(keys.every((key) => /^exports\/[0-9a-f-]{36}\/1\.zip$/.test(key))).toBe(true);
    expect(await readdir(join(dir, ".tmp")).catch(() => [])).toEqual([]);
  });
});
