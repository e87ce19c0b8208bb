import type { Annotation, ClassDef, DatasetImage, ImageStatus, Split } from "@pictograph/schema";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db, DbHandle } from "../create-db";
import { createTestWorkspace, testBackends } from "../testing";
import { insertAnnotations } from "./annotations";
import { listClasses, replaceClasses } from "./classes";
import { createDataset } from "./datasets";
import { countExportImages, pageExportImages, type ExportImageFilter } from "./export-images";
import { insertImages } from "./images";

const IMAGES = 1_234;
const STATUSES: ImageStatus[] = ["new", "in_progress", "complete"];
const SPLITS: (Split | null)[] = ["train", "val", "test", null];
const classDef = (name: string): ClassDef => ({
  name,
  color: "#123456",
  attributes: [],
  keypoints: null,
});

// Mixed case, digits, unicode and folders: the order must be byte order on every server.
function pathOf(i: number): string {
  const folder = ["", "A/", "a/", "b-2/", "é/"][i % 5];
  const name = ["Img", "img", "IMG_", "z", "ü"][(i * 7) % 5];
  return `${folder}${name}${String(i).padStart(4, "0")}.jpg`;
}

function annotationsOf(i: number): Annotation[] {
  return Array.from({ length: i % 4 }, (_, k) => ({
    type: "bbox",
    bbox: { x: i, y: k, w: 1, h: 1 },
    class_name: k % 2 ? "bus" : "car",
    attributes: { k },
    confidence: null,
    occluded: false,
    z_order: 0,
  }));
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe.each(testBackends(process.env.TEST_DATABASE_URL))("export pages on $name", (backend) => {
  let handle: DbHandle;
  let db: Db;
  let datasetId: string;
  let classIds: Record<string, string>;
  let statements: string[] = [];
  const expected = new Map<string, DatasetImage>();

  beforeAll(async () => {
    handle = await backend.open({ logger: { logQuery: (query) => statements.push(query) } });
    db = handle.db;
    const ws = await createTestWorkspace(db);
    datasetId = (await createDataset(db, { workspaceId: ws.id, name: "big" })).id;
    await replaceClasses(db, {
      datasetId,
      classes: [classDef("car"), classDef("bus"), classDef("unused")],
    });
    classIds = Object.fromEntries(
      (await listClasses(db, { datasetId })).map((c) => [c.name, c.id]),
    );
    for (let i = 0; i < IMAGES; i++) {
      expected.set(pathOf(i), {
        path: pathOf(i),
        width: 100 + i,
        height: 50,
        status: STATUSES[i % 3]!,
        split: SPLITS[i % 4]!,
        tags: i % 5 === 0 ? ["t"] : [],
        annotations: annotationsOf(i),
      });
    }
    await insertImages(db, {
      datasetId,
      images: [...expected.values()].map(({ annotations: _, ...image }) => ({
        ...image,
        blobKey: `blob/${image.path}`,
      })),
    });
    await insertAnnotations(db, {
      datasetId,
      images: [...expected.values()].map((image) => ({
        path: image.path,
        annotations: image.annotations,
      })),
    });
  });
  afterAll(() => handle?.close());
  beforeEach(() => {
    statements = [];
  });

  async function readAll(filter: ExportImageFilter, limit: number) {
    const items = [];
    let after: string | null = null;
    let pages = 0;
    statements = [];
    do {
      const page = await pageExportImages(db, { ...filter, after, limit });
      items.push(...page.items);
      after = page.nextCursor;
      pages++;
    } while (after);
    return { items, pages, queries: statements.length };
  }

  it("streams every image once, in byte order, with its annotations, one query per page", async () => {
    const { items, pages, queries } = await readAll({ datasetId, statusFilter: "all" }, 100);

    expect(pages).toBe(Math.ceil(IMAGES / 100));
    expect(queries).toBe(pages);
    const paths = items.map((item) => item.image.path);
    expect(new Set(paths).size).toBe(IMAGES);
    expect(paths).toEqual([...expected.keys()].sort(byteOrder));
    for (const item of items) expect(item.image).toEqual(expected.get(item.image.path));
    expect(items[0]).toMatchObject({
      blobKey: `blob/${items[0]!.image.path}`,
      sha256: null,
      sizeBytes: null,
    });
  });

  it("selects by status and split, and pages end exactly at the last image", async () => {
    const filter: ExportImageFilter = { datasetId, statusFilter: "complete", split: "train" };
    const { items } = await readAll(filter, 7);
    const want = [...expected.values()].filter(
      (i) => i.status === "complete" && i.split === "train",
    );
    expect(items.map((i) => i.image.path)).toEqual(want.map((i) => i.path).sort(byteOrder));

    const unsplit = await readAll({ datasetId, statusFilter: "new", split: null }, 50);
    expect(unsplit.items.map((i) => i.image.path).sort(byteOrder)).toEqual(
      [...expected.values()]
        .filter((i) => i.status === "new" && i.split === null)
        .map((i) => i.path)
        .sort(byteOrder),
    );

    // A page size that divides the selection exactly: no empty trailing page.
    const exact = await readAll(filter, want.length);
    expect(exact.pages).toBe(1);
  });

  it("keeps only the filtered classes' annotations, and images left with none", async () => {
    const { items } = await readAll(
      { datasetId, statusFilter: "all", classIds: [classIds.bus!] },
      500,
    );
    expect(items).toHaveLength(IMAGES);
    for (const item of items) {
      expect(item.image.annotations).toEqual(
        expected.get(item.image.path)!.annotations.filter((a) => a.class_name === "bus"),
      );
    }
  });

  it("counts images and surviving annotations per split", async () => {
    const counts = await countExportImages(db, {
      datasetId,
      statusFilter: "in_progress",
      classIds: [classIds.car!],
    });
    const want = SPLITS.map((split) => {
      const chosen = [...expected.values()].filter(
        (i) => i.status === "in_progress" && i.split === split,
      );
      return {
        split,
        images: chosen.length,
        annotations: chosen.reduce(
          (n, i) => n + i.annotations.filter((a) => a.class_name === "car").length,
          0,
        ),
      };
    });
    expect(counts).toEqual(expect.arrayContaining(want));
    expect(counts).toHaveLength(4);

    const all = await countExportImages(db, { datasetId, statusFilter: "all" });
    expect(all.reduce((n, c) => n + c.images, 0)).toBe(IMAGES);
    expect(all.reduce((n, c) => n + c.annotations, 0)).toBe(
      [...expected.values()].reduce((n, i) => n + i.annotations.length, 0),
    );
  });
});
