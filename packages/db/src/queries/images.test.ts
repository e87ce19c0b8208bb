import { pathStem, type Annotation, type ClassDef } from "@pictograph/schema";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db, DbHandle } from "../create-db";
import { DbConflictError, DbReferenceError } from "../errors";
import { annotations, images } from "../schema";
import { createTestWorkspace, testBackends } from "../testing";
import {
  getImageAnnotations,
  insertAnnotations,
  replaceAnnotations,
  replaceImageAnnotations,
} from "./annotations";
import { replaceClasses } from "./classes";
import { createDataset } from "./datasets";
import {
  deleteImage,
  getImage,
  insertImages,
  listImages,
  updateImage,
  type NewImage,
} from "./images";

const classDef = (name: string): ClassDef => ({
  name,
  color: "#00aa00",
  attributes: [],
  keypoints: null,
});
const base = { attributes: {}, confidence: null, occluded: false, z_order: 0 };
const box = (class_name: string, x = 1): Annotation => ({
  type: "bbox",
  bbox: { x, y: 2, w: 3, h: 4 },
  class_name,
  ...base,
});

describe.each(testBackends(process.env.TEST_DATABASE_URL))(
  "images and annotations on $name",
  (backend) => {
    let handle: DbHandle;
    let db: Db;
    let statements: string[] = [];
    beforeAll(async () => {
      handle = await backend.open({ logger: { logQuery: (query) => statements.push(query) } });
      db = handle.db;
    });
    afterAll(() => handle?.close());
    beforeEach(() => {
      statements = [];
    });

    async function newDataset(classNames: string[] = ["car", "bus"]) {
      const ws = await createTestWorkspace(db);
      const ds = await createDataset(db, { workspaceId: ws.id, name: "ds" });
      await replaceClasses(db, { datasetId: ds.id, classes: classNames.map(classDef) });
      return ds;
    }

    it("inserts 10,000 images in two statements, returning their ids in order", async () => {
      const ds = await newDataset();
      const batch: NewImage[] = Array.from({ length: 10_000 }, (_, i) => ({
        path: `batch${i % 7}/img-${String(i).padStart(5, "0")}.jpg`,
        width: 640,
        height: 480,
        split: i % 2 ? "train" : null,
        tags: i % 3 ? [] : ["night"],
        sha256: "a".repeat(64),
        sizeBytes: 1000 + i,
        mime: "image/jpeg",
        blobKey: `blobs/${i}`,
      }));
      statements = [];
      const inserted = await insertImages(db, { datasetId: ds.id, images: batch });

      expect(statements.filter((s) => s.includes("INSERT INTO images"))).toHaveLength(2);
      expect(inserted.map((r) => r.path)).toEqual(batch.map((b) => b.path));
      const [row] = await db
        .select({ n: sql<number>`count(*)::int`, bytes: sql<number>`sum(size_bytes)::float8` })
        .from(images)
        .where(eq(images.datasetId, ds.id));
      expect(row).toEqual({ n: 10_000, bytes: 10_000 * 1000 + (9_999 * 10_000) / 2 });
      expect(await getImage(db, { datasetId: ds.id, path: "batch3/img-00003.jpg" })).toMatchObject({
        split: "train",
        tags: ["night"],
        sizeBytes: 1003,
        status: "new",
        annotationCount: 0,
      });
    });

    it("refuses a second file with the same stem in a folder (x.jpg and x.png), all or none", async () => {
      const ds = await newDataset();
      await insertImages(db, {
        datasetId: ds.id,
        images: [{ path: "batch1/x.jpg", width: 1, height: 1 }],
      });

      const clash = insertImages(db, {
        datasetId: ds.id,
        images: [
          { path: "batch1/fine.jpg", width: 1, height: 1 },
          { path: "batch1/x.png", width: 1, height: 1 },
        ],
      });
      await expect(clash).rejects.toBeInstanceOf(DbConflictError);
      await expect(clash).rejects.toThrow(
        'an image named "batch1/x.*" already exists in that folder',
      );
      expect(await getImage(db, { datasetId: ds.id, path: "batch1/fine.jpg" })).toBeNull();

      await expect(
        insertImages(db, {
          datasetId: ds.id,
          images: [{ path: "batch1/x.jpg", width: 1, height: 1 }],
        }),
      ).rejects.toThrow(/image "batch1\/x.jpg" already exists|an image named "batch1\/x.\*"/);
      // Another folder is another namespace.
      await expect(
        insertImages(db, {
          datasetId: ds.id,
          images: [{ path: "batch2/x.png", width: 1, height: 1 }],
        }),
      ).resolves.toHaveLength(1);
    });

    it("computes each path's stem exactly as @pictograph/schema's pathStem does", async () => {
      const ds = await newDataset();
      const paths = [
        "y",
        "x.jpg",
        "a/b.c/d",
        "a/.hidden",
        ".env2",
        "a..jpg",
        "dir.v2/y.tar.gz",
        "é/ü.PNG",
        "z.",
      ];
      await insertImages(db, {
        datasetId: ds.id,
        images: paths.map((path) => ({ path, width: 1, height: 1 })),
      });
      const rows = await db
        .select({ path: images.path, stem: images.pathStem })
        .from(images)
        .where(eq(images.datasetId, ds.id));
      expect(Object.fromEntries(rows.map((r) => [r.path, r.stem]))).toEqual(
        Object.fromEntries(paths.map((p) => [p, pathStem(p)])),
      );
    });

    it("lists images by path in byte order with status, split and class filters", async () => {
      const ds = await newDataset();
      await insertImages(db, {
        datasetId: ds.id,
        images: [
          { path: "b.jpg", width: 1, height: 1, status: "complete", split: "train" },
          { path: "B.jpg", width: 1, height: 1, status: "complete" },
          { path: "a/1.jpg", width: 1, height: 1, split: "val" },
          { path: "a.jpg", width: 1, height: 1, status: "complete", split: "train" },
          { path: "c.jpg", width: 1, height: 1 },
        ],
      });
      await replaceImageAnnotations(db, {
        datasetId: ds.id,
        path: "c.jpg",
        annotations: [box("bus")],
      });
      await replaceImageAnnotations(db, {
        datasetId: ds.id,
        path: "a.jpg",
        annotations: [box("car")],
      });
      const classId = (await db.execute(
        sql`SELECT id FROM classes WHERE dataset_id = ${ds.id} AND name = 'bus'`,
      )) as unknown as {
        rows: { id: string }[];
      };

      const paths = async (filter: Partial<Parameters<typeof listImages>[1]>) => {
        const seen: string[] = [];
        let after: string | null = null;
        do {
          const page = await listImages(db, { datasetId: ds.id, limit: 2, ...filter, after });
          seen.push(...page.items.map((i) => i.path));
          after = page.nextCursor;
        } while (after);
        return seen;
      };
      expect(await paths({})).toEqual(["B.jpg", "a.jpg", "a/1.jpg", "b.jpg", "c.jpg"]);
      expect(await paths({ status: "complete" })).toEqual(["B.jpg", "a.jpg", "b.jpg"]);
      expect(await paths({ split: "train" })).toEqual(["a.jpg", "b.jpg"]);
      expect(await paths({ split: null })).toEqual(["B.jpg", "c.jpg"]);
      expect(await paths({ classId: classId.rows[0]!.id })).toEqual(["c.jpg"]);
    });

    it("updates status, split and tags, and deletes an image with its annotations", async () => {
      const ds = await newDataset();
      await insertImages(db, {
        datasetId: ds.id,
        images: [{ path: "x.jpg", width: 1, height: 1, blobKey: "k/x" }],
      });
      await replaceImageAnnotations(db, {
        datasetId: ds.id,
        path: "x.jpg",
        annotations: [box("car"), box("bus")],
      });

      const updated = await updateImage(db, {
        datasetId: ds.id,
        path: "x.jpg",
        status: "complete",
        split: "test",
        tags: ["a"],
      });
      expect(updated).toMatchObject({
        status: "complete",
        split: "test",
        tags: ["a"],
        annotationCount: 2,
      });
      expect(await updateImage(db, { datasetId: ds.id, path: "x.jpg", split: null })).toMatchObject(
        { split: null, status: "complete" },
      );
      expect(
        await updateImage(db, { datasetId: ds.id, path: "missing.jpg", status: "new" }),
      ).toBeNull();

      const deleted = await deleteImage(db, { datasetId: ds.id, path: "x.jpg" });
      expect(deleted).toEqual({ id: updated!.id, blobKey: "k/x" });
      expect(
        await db.select().from(annotations).where(eq(annotations.imageId, updated!.id)),
      ).toEqual([]);
      expect(await deleteImage(db, { datasetId: ds.id, path: "x.jpg" })).toBeNull();
    });

    it("stores every annotation type and gives it back in canonical shape and order", async () => {
      const ds = await newDataset(["car", "person"]);
      await insertImages(db, {
        datasetId: ds.id,
        images: [{ path: "x.jpg", width: 100, height: 100 }],
      });
      const list: Annotation[] = [
        {
          type: "bbox",
          bbox: { x: 0.1, y: 0.2, w: 10.5, h: 3 },
          class_name: "car",
          attributes: { color: "red", n: 2, ok: true },
          confidence: 0.9,
          occluded: true,
          z_order: 2,
        },
        {
          type: "polygon",
          polygon: {
            paths: [
              [
                { x: 0, y: 0 },
                { x: 5, y: 0 },
                { x: 5, y: 5 },
              ],
              [
                { x: 1, y: 1 },
                { x: 2, y: 1 },
                { x: 2, y: 2 },
              ],
            ],
          },
          class_name: "car",
          ...base,
        },
        {
          type: "polyline",
          polyline: {
            path: [
              { x: 0, y: 0 },
              { x: 3, y: 4 },
            ],
          },
          class_name: "person",
          ...base,
        },
        {
          type: "keypoint",
          keypoint: { x: 7, y: 8 },
          instance_id: 1,
          joint: "nose",
          class_name: "person",
          ...base,
          confidence: 1,
        },
        {
          type: "keypoint",
          keypoint: { x: 9, y: 8 },
          instance_id: null,
          joint: null,
          class_name: "person",
          ...base,
        },
      ];
      expect(
        await replaceImageAnnotations(db, { datasetId: ds.id, path: "x.jpg", annotations: list }),
      ).toEqual({ annotations: 5 });

      const stored = await getImageAnnotations(db, { datasetId: ds.id, path: "x.jpg" });
      expect(stored).toEqual(list);
      // Canonical key order too, so files written from it read the same way every time.
      expect(Object.keys(stored![0]!)).toEqual(Object.keys(list[0]!));
      expect(Object.keys(stored![3]!)).toEqual(Object.keys(list[3]!));
      expect(await getImageAnnotations(db, { datasetId: ds.id, path: "nope.jpg" })).toBeNull();
    });

    it("replaces many images' annotations at once and keeps each image's count", async () => {
      const ds = await newDataset();
      await insertImages(db, {
        datasetId: ds.id,
        images: ["a.jpg", "b.jpg", "c.jpg"].map((path) => ({ path, width: 9, height: 9 })),
      });
      await replaceAnnotations(db, {
        datasetId: ds.id,
        images: [
          { path: "a.jpg", annotations: [box("car", 1), box("bus", 2), box("car", 3)] },
          { path: "b.jpg", annotations: [box("bus")] },
        ],
      });
      const result = await replaceAnnotations(db, {
        datasetId: ds.id,
        images: [
          { path: "a.jpg", annotations: [box("bus", 4)] },
          { path: "b.jpg", annotations: [] },
          { path: "c.jpg", annotations: [box("car", 5), box("car", 6)] },
        ],
      });
      expect(result).toEqual({ images: 3, annotations: 3 });
      expect(await countsByPath(db, ds.id)).toEqual({ "a.jpg": 1, "b.jpg": 0, "c.jpg": 2 });
      expect(
        (await getImageAnnotations(db, { datasetId: ds.id, path: "c.jpg" }))!.map(
          (a) => a.type === "bbox" && a.bbox.x,
        ),
      ).toEqual([5, 6]);
    });

    it("refuses annotations naming an unknown image or class, and writes nothing", async () => {
      const ds = await newDataset();
      await insertImages(db, {
        datasetId: ds.id,
        images: [{ path: "a.jpg", width: 9, height: 9 }],
      });
      await replaceImageAnnotations(db, {
        datasetId: ds.id,
        path: "a.jpg",
        annotations: [box("car")],
      });

      const attempt = replaceAnnotations(db, {
        datasetId: ds.id,
        images: [
          { path: "a.jpg", annotations: [box("bus"), box("truck")] },
          { path: "ghost.jpg", annotations: [] },
        ],
      });
      await expect(attempt).rejects.toBeInstanceOf(DbReferenceError);
      await expect(attempt).rejects.toMatchObject({
        message: 'the dataset has no image "ghost.jpg" and no class "truck"',
        missing: { imagePaths: ["ghost.jpg"], classNames: ["truck"] },
      });
      await expect(
        insertAnnotations(db, {
          datasetId: ds.id,
          images: [{ path: "a.jpg", annotations: [box("bus"), box("truck")] }],
        }),
      ).rejects.toThrow('the dataset has no class "truck"');
      expect(await getImageAnnotations(db, { datasetId: ds.id, path: "a.jpg" })).toEqual([
        box("car"),
      ]);
      expect(await countsByPath(db, ds.id)).toEqual({ "a.jpg": 1 });
    });

    it("appends thousands of annotations per statement after each image's existing ones", async () => {
      const ds = await newDataset();
      await insertImages(db, {
        datasetId: ds.id,
        images: Array.from({ length: 100 }, (_, i) => ({
          path: `img-${String(i).padStart(3, "0")}.jpg`,
          width: 99,
          height: 99,
        })),
      });
      await replaceImageAnnotations(db, {
        datasetId: ds.id,
        path: "img-000.jpg",
        annotations: [box("car", 0)],
      });

      // 12,000 rows: img-000 gets 6,000 (crossing a statement boundary), the others 60 each.
      const batch = [
        {
          path: "img-000.jpg",
          annotations: Array.from({ length: 6000 }, (_, i) => box(i % 2 ? "bus" : "car", i + 1)),
        },
        ...Array.from({ length: 99 }, (_, i) => ({
          path: `img-${String(i + 1).padStart(3, "0")}.jpg`,
          annotations: Array.from({ length: 60 }, (_, j) => box("bus", j)),
        })),
      ];
      statements = [];
      expect(await insertAnnotations(db, { datasetId: ds.id, images: batch })).toEqual({
        annotations: 11_940,
      });
      expect(statements.filter((s) => s.includes("INSERT INTO annotations"))).toHaveLength(3);

      const first = await db
        .select({
          position: annotations.position,
          x: sql<number>`(${annotations.geometry}->>'x')::float8`,
        })
        .from(annotations)
        .innerJoin(images, eq(images.id, annotations.imageId))
        .where(eq(images.path, "img-000.jpg"))
        .orderBy(asc(annotations.position));
      // Kept first, then the 6,000 in order, positions 0…6000 with no gap.
      expect(first.map((r) => r.position)).toEqual(Array.from({ length: 6001 }, (_, i) => i));
      expect(first.map((r) => r.x)).toEqual(Array.from({ length: 6001 }, (_, i) => i));
      const counts = await countsByPath(db, ds.id);
      expect(counts["img-000.jpg"]).toBe(6001);
      expect(counts["img-099.jpg"]).toBe(60);
    });
  },
);

async function countsByPath(db: Db, datasetId: string) {
  const rows = await db
    .select({
      path: images.path,
      stored: images.annotationCount,
      actual: sql<number>`(SELECT count(*)::int FROM annotations a WHERE a.image_id = images.id)`,
    })
    .from(images)
    .where(eq(images.datasetId, datasetId));
  // annotation_count must always equal the rows.
  for (const r of rows) expect(r.stored, r.path).toBe(r.actual);
  return Object.fromEntries(rows.map((r) => [r.path, r.stored]));
}
