import type { Annotation, ClassDef, DatasetImage, ImageStatus, Split } from "@pictograph/schema";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db, DbHandle } from "../create-db";
import { createTestWorkspace, testBackends } from "../testing";
import { executeSqlText } from "../raw-sql";
import { getImageAnnotations, insertAnnotations } from "./annotations";
import { listClasses, replaceClasses } from "./classes";
import { classNamer, MAX_NUMBERED_CLASSES } from "./canonical-annotations";
import { createDataset } from "./datasets";
import {
  countExportImages,
  exportImageOf,
  exportPageBounds,
  pageExportImageRows,
  type ExportImageFilter,
} from "./export-images";
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

/** Class naming as the exporter sets it up: the ids a page numbers, and exportImageOf's
 * `className`, both from classNamer over `rows`. */
function classNaming(rows: { id: string; name: string }[]) {
  const namer = classNamer(new Map(rows.map((c) => [c.id, c.name])));
  const className = (key: number | string) => {
    const name = namer.name(key);
    if (name === undefined) throw new Error(`no class ${key}`);
    return name;
  };
  return { numberedClasses: namer.numberedClasses, className };
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe.each(testBackends(process.env.TEST_DATABASE_URL))("export pages on $name", (backend) => {
  let handle: DbHandle;
  let db: Db;
  let datasetId: string;
  let classIds: Record<string, string>;
  let naming: ReturnType<typeof classNaming>;
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
    const classRows = await listClasses(db, { datasetId });
    classIds = Object.fromEntries(classRows.map((c) => [c.name, c.id]));
    naming = classNaming(classRows);
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
      const page = await pageExportImageRows(db, {
        ...filter,
        after,
        limit,
        numberedClasses: naming.numberedClasses,
      });
      items.push(...page.items.map((row) => exportImageOf(row, naming.className)));
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

  it("cuts a selection into ranges of a page that, each read alone, give every image in order", async () => {
    const filter: ExportImageFilter = { datasetId, statusFilter: "complete", split: "train" };
    const want = [...expected.values()]
      .filter((i) => i.status === "complete" && i.split === "train")
      .map((i) => i.path)
      .sort(byteOrder);
    const bounds = await exportPageBounds(db, { ...filter, pageSize: 7 });
    expect(bounds).toEqual(want.filter((_, i) => (i + 1) % 7 === 0));

    const paths: string[] = [];
    for (const [i, upTo] of [...bounds, null].entries()) {
      const after = bounds[i - 1] ?? null;
      const page = await pageExportImageRows(db, { ...filter, after, upTo, limit: 7 });
      expect(page.nextCursor).toBeNull();
      paths.push(...page.items.map((row) => row.path));
    }
    expect(paths).toEqual(want);
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

  it("pages without annotations: the same images, files and order, every list empty", async () => {
    const filter: ExportImageFilter = { datasetId, statusFilter: "in_progress", split: "val" };
    const full = await readAll(filter, 13);
    const bare = [];
    let after: string | null = null;
    do {
      const page = await pageExportImageRows(db, {
        ...filter,
        after,
        limit: 13,
        annotations: false,
      });
      bare.push(...page.items.map((row) => exportImageOf(row, naming.className)));
      after = page.nextCursor;
    } while (after);

    expect(bare.length).toBeGreaterThan(13);
    expect(full.items.some((item) => item.image.annotations.length > 0)).toBe(true);
    expect(bare).toEqual(
      full.items.map((item) => ({ ...item, image: { ...item.image, annotations: [] } })),
    );
  });

  it("renders every annotation type as the canonical JSON, awkward text included", async () => {
    const ws = await createTestWorkspace(db);
    const odd = (await createDataset(db, { workspaceId: ws.id, name: "odd" })).id;
    const names = ['say "hi" \\ back', "ünïcode/名前", "plain"];
    const oddClasses = await replaceClasses(db, { datasetId: odd, classes: names.map(classDef) });
    const base = { attributes: {}, confidence: null, occluded: false, z_order: 0 };
    const list: Annotation[] = [
      {
        type: "bbox",
        bbox: { x: 0.1, y: 2e-7, w: 1234.5678, h: 3 },
        class_name: names[0]!,
        ...base,
      },
      {
        type: "polygon",
        polygon: {
          paths: [
            [
              { x: 0, y: 0 },
              { x: 4, y: 0 },
              { x: 4, y: 3 },
            ],
          ],
        },
        class_name: names[1]!,
        attributes: { 'q"uote': "line\nbreak \u0001", n: -1.5, ok: true },
        confidence: 0.1,
        occluded: true,
        z_order: -2147483648,
      },
      {
        type: "polyline",
        polyline: {
          path: [
            { x: 1, y: 1 },
            { x: 2, y: 3 },
          ],
        },
        class_name: names[2]!,
        ...base,
      },
      {
        type: "keypoint",
        keypoint: { x: 7, y: 8 },
        instance_id: 2147483647,
        joint: 'left "eye"',
        class_name: names[1]!,
        ...base,
        confidence: 1,
      },
      {
        type: "keypoint",
        keypoint: { x: 9, y: 8 },
        instance_id: null,
        joint: null,
        class_name: names[2]!,
        ...base,
      },
    ];
    await insertImages(db, { datasetId: odd, images: [{ path: "x.jpg", width: 9, height: 9 }] });
    await insertAnnotations(db, { datasetId: odd, images: [{ path: "x.jpg", annotations: list }] });

    // Classes named by id, all by number, and some each way (the first numbered).
    const { numberedClasses, className } = classNaming(oddClasses);
    for (const numbered of [[], numberedClasses, numberedClasses.slice(0, 1)]) {
      const page = await pageExportImageRows(db, {
        datasetId: odd,
        statusFilter: "all",
        limit: 10,
        numberedClasses: numbered,
      });
      const exported = exportImageOf(page.items[0]!, className).image.annotations;
      expect(exported).toEqual(list);
      // Key order too, so files written from it read the same way every time.
      expect(exported.map((a) => Object.keys(a))).toEqual(list.map((a) => Object.keys(a)));
    }
    expect(await getImageAnnotations(db, { datasetId: odd, path: "x.jpg" })).toEqual(list);
  });

  it("gives annotations in position order, not the order their rows are stored in", async () => {
    const ws = await createTestWorkspace(db);
    const shuffled = (await createDataset(db, { workspaceId: ws.id, name: "shuffled" })).id;
    const classRows = await replaceClasses(db, {
      datasetId: shuffled,
      classes: [classDef("a"), classDef("b")],
    });
    const list: Annotation[] = Array.from({ length: 40 }, (_, k) => ({
      type: "bbox",
      bbox: { x: k, y: 0, w: 1, h: 1 },
      class_name: k % 3 ? "a" : "b",
      attributes: {},
      confidence: null,
      occluded: false,
      z_order: 0,
    }));
    await insertImages(db, {
      datasetId: shuffled,
      images: [{ path: "s.jpg", width: 9, height: 9 }],
    });
    await insertAnnotations(db, {
      datasetId: shuffled,
      images: [{ path: "s.jpg", annotations: list }],
    });
    // Positions reversed in place: the rows stay where they were stored, last first by position.
    const ofImage = `image_id = (SELECT id FROM images WHERE dataset_id = '${shuffled}')`;
    await executeSqlText(db, `UPDATE annotations SET position = position + 1000 WHERE ${ofImage}`);
    await executeSqlText(db, `UPDATE annotations SET position = 1039 - position WHERE ${ofImage}`);
    const page = await pageExportImageRows(db, {
      datasetId: shuffled,
      statusFilter: "all",
      limit: 5,
    });
    const exported = exportImageOf(page.items[0]!, classNaming(classRows).className).image
      .annotations;
    expect(exported).toEqual([...list].reverse());
    expect(await getImageAnnotations(db, { datasetId: shuffled, path: "s.jpg" })).toEqual(exported);
  });

  it("numbers the first classes and names the rest by id, one image of each", async () => {
    const ws = await createTestWorkspace(db);
    const many = (await createDataset(db, { workspaceId: ws.id, name: "many-classes" })).id;
    const names = Array.from({ length: MAX_NUMBERED_CLASSES + 4 }, (_, k) => `class ${k}`);
    const classRows = await replaceClasses(db, { datasetId: many, classes: names.map(classDef) });
    const list: Annotation[] = [...names].reverse().map((name, k) => ({
      type: "bbox",
      bbox: { x: k, y: 0, w: 1, h: 1 },
      class_name: name,
      attributes: {},
      confidence: null,
      occluded: false,
      z_order: 0,
    }));
    await insertImages(db, { datasetId: many, images: [{ path: "m.jpg", width: 9, height: 9 }] });
    await insertAnnotations(db, {
      datasetId: many,
      images: [{ path: "m.jpg", annotations: list }],
    });
    const { numberedClasses, className } = classNaming(classRows);
    expect(numberedClasses).toEqual(classRows.slice(0, MAX_NUMBERED_CLASSES).map((c) => c.id));

    const page = await pageExportImageRows(db, {
      datasetId: many,
      statusFilter: "all",
      limit: 5,
      numberedClasses,
    });
    const tuples = JSON.parse(page.items[0]!.annotations!) as unknown[][];
    expect(tuples.filter((t) => typeof t[2] === "number")).toHaveLength(MAX_NUMBERED_CLASSES);
    expect(exportImageOf(page.items[0]!, className).image.annotations).toEqual(list);
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
