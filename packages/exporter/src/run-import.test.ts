// runImport against a real database and storage: what lands in the dataset per image, with
// the report and the row's end state. (End to end through the upload route: packages/api.)
import {
  createDataset,
  createImport,
  getImageAnnotations,
  getImportById,
  listClasses,
} from "@pictograph/db";
import { createTestWorkspace, testBackends, withTestDb } from "@pictograph/db/testing";
import { fixtureImages, writeFilesZip, writeFixtureZip } from "@pictograph/formats/testing";
import type { Format } from "@pictograph/schema";
import { createBlobStore } from "@pictograph/storage";
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runImport } from "./run-import";

const dir = mkdtempSync(join(tmpdir(), "pictograph-run-import-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(testBackends(process.env.TEST_DATABASE_URL))("runImport ($name)", (backend) => {
  async function importZip(zipPath: string, format: Format) {
    return withTestDb(backend, async ({ db }) => {
      const storage = createBlobStore({ driver: "local", dir: join(dir, "store") });
      const workspace = await createTestWorkspace(db);
      const dataset = await createDataset(db, { workspaceId: workspace.id, name: "d" });
      const blobKey = `imports/${dataset.id}/upload.zip`;
      await storage.put(blobKey, createReadStream(zipPath), { contentType: "application/zip" });
      const row = await createImport(db, {
        workspaceId: workspace.id,
        datasetId: dataset.id,
        format,
        blobKey,
      });
      const outcome = await runImport({ db, storage }, row.id);
      const annotationsOf = (path: string) =>
        getImageAnnotations(db, { datasetId: dataset.id, path });
      return {
        outcome,
        row: (await getImportById(db, { importId: row.id }))!,
        classes: (await listClasses(db, { datasetId: dataset.id })).map((c) => c.name),
        annotations: {
          a: await annotationsOf("a.jpg"),
          b: await annotationsOf("b.jpg"),
          c: await annotationsOf("c.jpg"),
        },
      };
    });
  }

  it("gives each image its own annotations, in file order, from a COCO file not in image order", async () => {
    // Members in an unusual order, and image b's annotations scattered among a's and c's.
    const annotations = ["b", "a", "b", "c", "b"].map((name, i) => ({
      id: i + 1,
      image_id: { a: 1, b: 2, c: 3 }[name],
      category_id: i === 4 ? 2 : 1,
      bbox: [i, i, 2, 2],
    }));
    const zipPath = join(dir, "unordered.zip");
    await writeFilesZip(zipPath, {
      "annotations/instances_default.json": JSON.stringify({
        annotations,
        images: ["a", "b", "c"].map((name, i) => ({
          id: i + 1,
          width: 20,
          height: 20,
          file_name: `${name}.jpg`,
        })),
        categories: [
          { id: 1, name: "car" },
          { id: 2, name: "bus" },
        ],
      }),
    });
    const { outcome, row, classes, annotations: stored } = await importZip(zipPath, "coco");
    expect(outcome.status).toBe("completed");
    expect(row).toMatchObject({ status: "completed", progress: 100 });
    expect(row.report).toMatchObject({ images: 3, annotations: 5, problems: [] });
    expect(classes).toEqual(["car", "bus"]);
    const boxes = (list: typeof stored.a) =>
      list!.map((a) => [a.class_name, a.type === "bbox" ? a.bbox.x : null]);
    expect(boxes(stored.a)).toEqual([["car", 1]]);
    expect(boxes(stored.b)).toEqual([
      ["car", 0],
      ["car", 2],
      ["bus", 4],
    ]);
    expect(boxes(stored.c)).toEqual([["car", 3]]);
  });

  it("imports with a reader that cannot count its images beforehand", async () => {
    const zipPath = join(dir, "fixture-cvat.zip");
    await writeFixtureZip(zipPath, { format: "cvat", include_images: false });
    const { outcome, row } = await importZip(zipPath, "cvat");
    expect(outcome.status).toBe("completed");
    expect(row).toMatchObject({ status: "completed", progress: 100 });
    expect(row.report!.images).toBe(fixtureImages.length);
  });
});
