// Annotation queries: replace one image's annotations, replace many images' at once, and
// append thousands per statement for imports. Images and classes are named by path and class
// name, resolved inside the statement; images.annotation_count is kept equal to the rows.
import type { Annotation } from "@pictograph/schema";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { DbReferenceError } from "../errors";
import { selectRows } from "../raw-sql";
import { annotationsFromTuples, annotationTuplesOf } from "./canonical-annotations";

export type ImageAnnotations = { path: string; annotations: Annotation[] };

// Sent as one JSON parameter, so the only limit is statement size.
export const ANNOTATION_ROWS_PER_STATEMENT = 5_000;

/** An image's annotations in canonical shape and order; null when the image does not exist. */
export async function getImageAnnotations(
  db: DbOrTx,
  params: { datasetId: string; path: string },
): Promise<Annotation[] | null> {
  const [row] = await selectRows<{ annotations: string | null; classNames: string | null }>(
    db,
    sql`SELECT ${annotationTuplesOf(sql`i.id`)} AS annotations,
          (SELECT json_object_agg(c.id, c.name)::text FROM classes c
            WHERE c.dataset_id = i.dataset_id) AS "classNames"
        FROM images i WHERE i.dataset_id = ${params.datasetId} AND i.path = ${params.path}`,
  );
  if (!row) return null;
  const names = JSON.parse(row.classNames ?? "{}") as Record<string, string>;
  // No classes numbered: every tuple names its class by id.
  return annotationsFromTuples(row.annotations, (id) => names[id]!);
}

/**
 * Makes each listed image's annotations exactly the given list (an empty list clears them),
 * all or none. Unknown image paths or class names fail the whole call with DbReferenceError.
 */
export async function replaceAnnotations(
  db: DbOrTx,
  params: { datasetId: string; images: ImageAnnotations[] },
): Promise<{ images: number; annotations: number }> {
  if (params.images.length === 0) return { images: 0, annotations: 0 };
  return db.transaction(async (tx) => {
    await assertReferencesExist(tx, params.datasetId, params.images);
    const paths = JSON.stringify(params.images.map((i) => i.path));
    await tx.execute(sql`
      WITH target AS (
        SELECT id FROM images
        WHERE dataset_id = ${params.datasetId} AND path = ANY(ARRAY(SELECT jsonb_array_elements_text(${paths}::jsonb)))
      ), cleared AS (
        DELETE FROM annotations WHERE image_id IN (SELECT id FROM target)
      )
      UPDATE images SET annotation_count = 0, updated_at = now() WHERE id IN (SELECT id FROM target)`);
    const annotations = await appendAnnotations(tx, params.datasetId, params.images);
    return { images: params.images.length, annotations };
  });
}

/** Replaces one image's annotations; see replaceAnnotations. */
export async function replaceImageAnnotations(
  db: DbOrTx,
  params: { datasetId: string; path: string; annotations: Annotation[] },
): Promise<{ annotations: number }> {
  const result = await replaceAnnotations(db, {
    datasetId: params.datasetId,
    images: [{ path: params.path, annotations: params.annotations }],
  });
  return { annotations: result.annotations };
}

/**
 * Appends annotations after each image's existing ones (the import path), thousands per
 * statement, all or none. Unknown image paths or class names fail with DbReferenceError.
 */
export async function insertAnnotations(
  db: DbOrTx,
  params: { datasetId: string; images: ImageAnnotations[] },
): Promise<{ annotations: number }> {
  const hasAny = params.images.some((i) => i.annotations.length > 0);
  if (!hasAny) return { annotations: 0 };
  return db.transaction(async (tx) => {
    await assertReferencesExist(tx, params.datasetId, params.images);
    return { annotations: await appendAnnotations(tx, params.datasetId, params.images) };
  });
}

async function appendAnnotations(
  tx: DbOrTx,
  datasetId: string,
  list: ImageAnnotations[],
): Promise<number> {
  let total = 0;
  for (const chunk of annotationRowChunks(list)) {
    const [row] = await selectRows<{ inserted: number }>(
      tx,
      sql`
      WITH input AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) AS r(
          path text, class_name text, ord int, type text, geometry jsonb, attributes jsonb,
          confidence float8, occluded bool, z_order int, instance_id int, joint text)
      ), inserted AS (
        INSERT INTO annotations (image_id, class_id, position, type, geometry, attributes,
                                 confidence, occluded, z_order, instance_id, joint)
        SELECT i.id, c.id, i.annotation_count + input.ord, input.type, input.geometry, input.attributes,
               input.confidence, input.occluded, input.z_order, input.instance_id, input.joint
        FROM input
        JOIN images i ON i.dataset_id = ${datasetId} AND i.path = input.path
        JOIN classes c ON c.dataset_id = ${datasetId} AND c.name = input.class_name
        RETURNING image_id
      ), counted AS (
        UPDATE images SET annotation_count = images.annotation_count + added.n, updated_at = now()
        FROM (SELECT image_id, count(*)::int AS n FROM inserted GROUP BY image_id) AS added
        WHERE images.id = added.image_id
        RETURNING added.n
      )
      SELECT COALESCE(sum(n), 0)::int AS inserted FROM counted`,
    );
    const inserted = Number(row?.inserted ?? 0);
    // assertReferencesExist ran in this transaction, so every row must have found its image and class.
    if (inserted !== chunk.length)
      throw new Error(`inserted ${inserted} of ${chunk.length} annotations`);
    total += inserted;
  }
  return total;
}

type AnnotationRecord = {
  path: string;
  class_name: string;
  /** Order among this chunk's rows of one image; added to the image's current count. */
  ord: number;
  type: Annotation["type"];
  geometry: unknown;
  attributes: Annotation["attributes"];
  confidence: number | null;
  occluded: boolean;
  z_order: number;
  instance_id: number | null;
  joint: string | null;
};

function* annotationRowChunks(list: ImageAnnotations[]): Generator<AnnotationRecord[]> {
  let chunk: AnnotationRecord[] = [];
  let nextOrd = new Map<string, number>();
  for (const { path, annotations } of list) {
    for (const annotation of annotations) {
      const ord = nextOrd.get(path) ?? 0;
      nextOrd.set(path, ord + 1);
      chunk.push(annotationRecord(path, ord, annotation));
      if (chunk.length === ANNOTATION_ROWS_PER_STATEMENT) {
        yield chunk;
        // The statement just run raised each image's annotation_count: restart counting.
        chunk = [];
        nextOrd = new Map();
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}

function annotationRecord(path: string, ord: number, a: Annotation): AnnotationRecord {
  const common = {
    path,
    class_name: a.class_name,
    ord,
    type: a.type,
    attributes: a.attributes ?? {},
    confidence: a.confidence ?? null,
    occluded: a.occluded ?? false,
    z_order: a.z_order ?? 0,
  };
  switch (a.type) {
    case "bbox":
      return { ...common, geometry: a.bbox, instance_id: null, joint: null };
    case "polygon":
      return { ...common, geometry: a.polygon, instance_id: null, joint: null };
    case "polyline":
      return { ...common, geometry: a.polyline, instance_id: null, joint: null };
    case "keypoint":
      return {
        ...common,
        geometry: a.keypoint,
        instance_id: a.instance_id ?? null,
        joint: a.joint ?? null,
      };
  }
}

/** Fails with DbReferenceError naming (up to 20 of) the paths and class names that do not exist. */
async function assertReferencesExist(
  tx: DbOrTx,
  datasetId: string,
  list: ImageAnnotations[],
): Promise<void> {
  const paths = [...new Set(list.map((i) => i.path))];
  const classNames = [...new Set(list.flatMap((i) => i.annotations.map((a) => a.class_name)))];
  // Looks up what exists with `= ANY(array)`, one probe of the unique index per name, and
  // leaves the difference to JS. A NOT EXISTS anti-join here was planned as a nested loop
  // over every image of the dataset whenever statistics lagged behind a growing import
  // (1 s per batch of 1,000 at 10,000 images, quadratic in the dataset's size).
  const found = await selectRows<{ kind: "image" | "class"; name: string }>(
    tx,
    sql`
    SELECT 'image' AS kind, i.path AS name FROM images i
    WHERE i.dataset_id = ${datasetId} AND i.path = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(paths)}::jsonb)))
    UNION ALL
    SELECT 'class', c.name FROM classes c
    WHERE c.dataset_id = ${datasetId} AND c.name = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(classNames)}::jsonb)))`,
  );
  const existing = { image: new Set<string>(), class: new Set<string>() };
  for (const row of found) existing[row.kind].add(row.name);
  const imagePaths = paths.filter((p) => !existing.image.has(p)).slice(0, 20);
  const names = classNames.filter((n) => !existing.class.has(n)).slice(0, 20);
  if (imagePaths.length === 0 && names.length === 0) return;
  const parts = [
    imagePaths.length > 0 ? `no image ${imagePaths.map((p) => `"${p}"`).join(", ")}` : null,
    names.length > 0 ? `no class ${names.map((n) => `"${n}"`).join(", ")}` : null,
  ].filter(Boolean);
  throw new DbReferenceError(`the dataset has ${parts.join(" and ")}`, {
    imagePaths,
    classNames: names,
  });
}
