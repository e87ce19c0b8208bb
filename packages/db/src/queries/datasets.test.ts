import type { Annotation, ClassDef } from "@pictograph/schema";
import { count, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, DbHandle } from "../create-db";
import { ClassInUseError, DbConflictError } from "../errors";
import { annotations, classes, datasetExports, datasetImports, images } from "../schema";
import { createTestWorkspace, testBackends } from "../testing";
import { replaceImageAnnotations } from "./annotations";
import { listClasses, replaceClasses } from "./classes";
import {
  createDataset,
  deleteDataset,
  getDataset,
  getDatasetById,
  listDatasets,
  updateDataset,
} from "./datasets";
import { createExport } from "./exports";
import { createImport } from "./imports";
import { insertImages } from "./images";

const classDef = (name: string, color = "#112233"): ClassDef => ({
  name,
  color,
  attributes: [],
  keypoints: null,
});
const box = (class_name: string): Annotation => ({
  type: "bbox",
  bbox: { x: 1, y: 2, w: 3, h: 4 },
  class_name,
  attributes: {},
  confidence: null,
  occluded: false,
  z_order: 0,
});

describe.each(testBackends(process.env.TEST_DATABASE_URL))(
  "datasets and classes on $name",
  (backend) => {
    let handle: DbHandle;
    let db: Db;
    beforeAll(async () => {
      handle = await backend.open();
      db = handle.db;
    });
    afterAll(() => handle?.close());

    it("refuses a second dataset with the same name in a workspace, but not in another workspace", async () => {
      const ws = await createTestWorkspace(db);
      const other = await createTestWorkspace(db);
      await createDataset(db, { workspaceId: ws.id, name: "cars" });

      const duplicate = createDataset(db, { workspaceId: ws.id, name: "cars" });
      await expect(duplicate).rejects.toBeInstanceOf(DbConflictError);
      await expect(duplicate).rejects.toMatchObject({
        message: 'dataset "cars" already exists',
        constraint: "datasets_workspace_id_name_key",
      });
      await expect(
        createDataset(db, { workspaceId: other.id, name: "cars" }),
      ).resolves.toMatchObject({ name: "cars" });
    });

    it("refuses names the schema's rules refuse, even from code that skipped validation", async () => {
      const ws = await createTestWorkspace(db);
      await expect(createDataset(db, { workspaceId: ws.id, name: "../etc" })).rejects.toThrow();
      await expect(createDataset(db, { workspaceId: ws.id, name: "" })).rejects.toThrow();
    });

    it("finds a dataset only in its own workspace, with image counts by status", async () => {
      const ws = await createTestWorkspace(db);
      const other = await createTestWorkspace(db);
      const ds = await createDataset(db, { workspaceId: ws.id, name: "counted", description: "d" });
      await insertImages(db, {
        datasetId: ds.id,
        images: [
          { path: "a.jpg", width: 10, height: 10 },
          { path: "b.jpg", width: 10, height: 10, status: "complete" },
          { path: "c.jpg", width: 10, height: 10, status: "complete" },
          { path: "d.jpg", width: 10, height: 10, status: "in_progress" },
        ],
      });

      expect(await getDataset(db, { workspaceId: ws.id, name: "counted" })).toMatchObject({
        id: ds.id,
        description: "d",
        imageCounts: { total: 4, new: 1, in_progress: 1, complete: 2 },
      });
      expect(await getDataset(db, { workspaceId: other.id, name: "counted" })).toBeNull();
      expect(await getDatasetById(db, { datasetId: ds.id })).toMatchObject({
        name: "counted",
        workspaceId: ws.id,
      });
    });

    it("lists a workspace's datasets by name, page after page", async () => {
      const ws = await createTestWorkspace(db);
      const names = ["b", "A", "c", "a", "B.2", "z-9", "0"];
      for (const name of names) await createDataset(db, { workspaceId: ws.id, name });
      await createDataset(db, {
        workspaceId: (await createTestWorkspace(db)).id,
        name: "elsewhere",
      });

      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page = await listDatasets(db, { workspaceId: ws.id, after, limit: 3 });
        seen.push(...page.items.map((d) => d.name));
        expect(page.items.every((d) => d.imageCounts.total === 0)).toBe(true);
        after = page.nextCursor;
        pages++;
      } while (after);
      // Byte order, whatever the server's locale.
      expect(seen).toEqual(["0", "A", "B.2", "a", "b", "c", "z-9"]);
      expect(pages).toBe(3);
    });

    it("renames a dataset unless the new name is taken", async () => {
      const ws = await createTestWorkspace(db);
      await createDataset(db, { workspaceId: ws.id, name: "old" });
      await createDataset(db, { workspaceId: ws.id, name: "taken" });

      await expect(
        updateDataset(db, { workspaceId: ws.id, name: "old", newName: "taken" }),
      ).rejects.toThrow('dataset "taken" already exists');
      const renamed = await updateDataset(db, {
        workspaceId: ws.id,
        name: "old",
        newName: "new",
        description: "x",
      });
      expect(renamed).toMatchObject({ name: "new", description: "x" });
      expect(
        await updateDataset(db, { workspaceId: (await createTestWorkspace(db)).id, name: "new" }),
      ).toBeNull();
    });

    it("deletes a dataset with everything in it, and nothing of its neighbours", async () => {
      const ws = await createTestWorkspace(db);
      const doomed = await seedDataset(db, ws.id, "doomed");
      const neighbour = await seedDataset(db, ws.id, "neighbour");

      expect(
        await deleteDataset(db, {
          workspaceId: (await createTestWorkspace(db)).id,
          name: "doomed",
        }),
      ).toBeNull();
      expect(await deleteDataset(db, { workspaceId: ws.id, name: "doomed" })).toEqual({
        id: doomed.id,
      });

      expect(await countRows(db, doomed.id)).toEqual({
        classes: 0,
        images: 0,
        annotations: 0,
        exports: 0,
        imports: 0,
      });
      const left = await db
        .select({ n: count() })
        .from(annotations)
        .where(inArray(annotations.id, doomed.annotationIds));
      expect(left[0]!.n).toBe(0);
      expect(await countRows(db, neighbour.id)).toEqual({
        classes: 2,
        images: 1,
        annotations: 2,
        exports: 1,
        imports: 1,
      });
    });

    it("replaces the class list in the given order, keeping the ids (and annotations) of kept classes", async () => {
      const ws = await createTestWorkspace(db);
      const ds = await createDataset(db, { workspaceId: ws.id, name: "classes" });
      const first = await replaceClasses(db, {
        datasetId: ds.id,
        classes: [classDef("car"), classDef("bus"), classDef("cat")],
      });
      expect(first.map((c) => [c.name, c.position])).toEqual([
        ["car", 0],
        ["bus", 1],
        ["cat", 2],
      ]);
      await insertImages(db, {
        datasetId: ds.id,
        images: [{ path: "x.jpg", width: 5, height: 5 }],
      });
      await replaceImageAnnotations(db, {
        datasetId: ds.id,
        path: "x.jpg",
        annotations: [box("bus")],
      });

      // Swap, drop an unused class, add one, recolour one.
      const second = await replaceClasses(db, {
        datasetId: ds.id,
        classes: [classDef("dog"), classDef("bus", "#abcdef"), classDef("car")],
      });
      expect(second.map((c) => [c.name, c.position, c.color])).toEqual([
        ["dog", 0, "#112233"],
        ["bus", 1, "#abcdef"],
        ["car", 2, "#112233"],
      ]);
      const ids = (list: { name: string; id: string }[]) =>
        Object.fromEntries(list.map((c) => [c.name, c.id]));
      expect(ids(second).bus).toBe(ids(first).bus);
      expect(ids(second).car).toBe(ids(first).car);
      expect(await listClasses(db, { datasetId: ds.id })).toEqual(second);
    });

    it("refuses to drop a class that annotations use, and changes nothing", async () => {
      const ws = await createTestWorkspace(db);
      const ds = await createDataset(db, { workspaceId: ws.id, name: "in-use" });
      await replaceClasses(db, {
        datasetId: ds.id,
        classes: [classDef("car"), classDef("bus"), classDef("cat")],
      });
      await insertImages(db, {
        datasetId: ds.id,
        images: [{ path: "x.jpg", width: 5, height: 5 }],
      });
      await replaceImageAnnotations(db, {
        datasetId: ds.id,
        path: "x.jpg",
        annotations: [box("bus"), box("bus"), box("cat")],
      });
      const before = await listClasses(db, { datasetId: ds.id });

      const attempt = replaceClasses(db, {
        datasetId: ds.id,
        classes: [classDef("car"), classDef("new")],
      });
      await expect(attempt).rejects.toBeInstanceOf(ClassInUseError);
      await expect(attempt).rejects.toThrow(
        'cannot remove classes "bus" (2 annotations), "cat" (1 annotations): annotations still use them',
      );
      expect(await listClasses(db, { datasetId: ds.id })).toEqual(before);
    });
  },
);

async function seedDataset(db: Db, workspaceId: string, name: string) {
  const ds = await createDataset(db, { workspaceId, name });
  await replaceClasses(db, { datasetId: ds.id, classes: [classDef("car"), classDef("bus")] });
  await insertImages(db, { datasetId: ds.id, images: [{ path: "x.jpg", width: 5, height: 5 }] });
  await replaceImageAnnotations(db, {
    datasetId: ds.id,
    path: "x.jpg",
    annotations: [box("car"), box("bus")],
  });
  await createExport(db, {
    workspaceId,
    datasetId: ds.id,
    name: "e1",
    format: "coco",
    includeImages: false,
    classFilter: null,
    statusFilter: "all",
  });
  await createImport(db, { workspaceId, datasetId: ds.id, format: "yolo", blobKey: null });
  const rows = await db
    .select({ id: annotations.id })
    .from(annotations)
    .where(sql`${annotations.imageId} IN (SELECT id FROM images WHERE dataset_id = ${ds.id})`);
  expect(rows).toHaveLength(2);
  return { ...ds, annotationIds: rows.map((r) => r.id) };
}

async function countRows(db: Db, datasetId: string) {
  const n = async (query: Promise<{ n: number }[]>) => (await query)[0]!.n;
  return {
    classes: await n(
      db.select({ n: count() }).from(classes).where(eq(classes.datasetId, datasetId)),
    ),
    images: await n(db.select({ n: count() }).from(images).where(eq(images.datasetId, datasetId))),
    annotations: await n(
      db
        .select({ n: count() })
        .from(annotations)
        .where(
          sql`${annotations.imageId} IN (SELECT id FROM images WHERE dataset_id = ${datasetId})`,
        ),
    ),
    exports: await n(
      db.select({ n: count() }).from(datasetExports).where(eq(datasetExports.datasetId, datasetId)),
    ),
    imports: await n(
      db.select({ n: count() }).from(datasetImports).where(eq(datasetImports.datasetId, datasetId)),
    ),
  };
}
