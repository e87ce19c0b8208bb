// Image queries, by dataset id. The dataset id must come from a workspace-scoped lookup
// (getDataset), which is how these stay inside the caller's workspace.
import type { ImageStatus, Split } from "@pictograph/schema";
import { and, asc, eq, exists, gt, isNull, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { translateConflicts } from "../errors";
import { annotations, images } from "../schema";
import { pageOf, type KeysetPage } from "./keyset-page";

export type NewImage = {
  path: string;
  width: number;
  height: number;
  status?: ImageStatus;
  split?: Split | null;
  tags?: string[];
  sha256?: string | null;
  sizeBytes?: number | null;
  mime?: string | null;
  blobKey?: string | null;
};

export type ImageSummary = {
  id: string;
  path: string;
  width: number;
  height: number;
  status: ImageStatus;
  split: Split | null;
  tags: string[];
  sha256: string | null;
  sizeBytes: number | null;
  mime: string | null;
  blobKey: string | null;
  annotationCount: number;
  createdAt: Date;
  updatedAt: Date;
};

const imageColumns = {
  id: images.id,
  path: images.path,
  width: images.width,
  height: images.height,
  status: images.status,
  split: images.split,
  tags: images.tags,
  sha256: images.sha256,
  sizeBytes: images.sizeBytes,
  mime: images.mime,
  blobKey: images.blobKey,
  annotationCount: images.annotationCount,
  createdAt: images.createdAt,
  updatedAt: images.updatedAt,
};

// At most 11 parameters a row: 5,000 rows stay under PostgreSQL's 65,535 per statement.
export const IMAGE_ROWS_PER_STATEMENT = 5_000;

/** The messages for both ways a new image path can collide (FORMATS.md D2). */
const pathConflicts = {
  images_dataset_id_path_key: (detail: string) => `image "${keyValueOf(detail)}" already exists`,
  images_dataset_id_path_stem_key: (detail: string) =>
    `an image named "${keyValueOf(detail)}.*" already exists in that folder: images in one folder must differ ` +
    `before the extension (x.jpg and x.png cannot both exist)`,
};

/**
 * Inserts images, thousands per statement, all or none. Returns each new image's id and
 * path in input order. A taken path or file stem fails the whole call with DbConflictError.
 */
export async function insertImages(
  db: DbOrTx,
  params: { datasetId: string; images: NewImage[] },
): Promise<{ id: string; path: string }[]> {
  if (params.images.length === 0) return [];
  return db.transaction(async (tx) => {
    const inserted: { id: string; path: string }[] = [];
    for (let start = 0; start < params.images.length; start += IMAGE_ROWS_PER_STATEMENT) {
      const chunk = params.images.slice(start, start + IMAGE_ROWS_PER_STATEMENT);
      const rows = await translateConflicts(
        tx
          .insert(images)
          .values(chunk.map((image) => ({ ...image, datasetId: params.datasetId })))
          .returning({ id: images.id, path: images.path }),
        pathConflicts,
      );
      inserted.push(...rows);
    }
    return inserted;
  });
}

export async function getImage(db: DbOrTx, params: { datasetId: string; path: string }): Promise<ImageSummary | null> {
  const [row] = await db
    .select(imageColumns)
    .from(images)
    .where(and(eq(images.datasetId, params.datasetId), eq(images.path, params.path)));
  return row ?? null;
}

export type ImageFilter = {
  datasetId: string;
  status?: ImageStatus;
  /** A split, or null for images without one; leave out for every image. */
  split?: Split | null;
  /** Only images with at least one annotation of this class. */
  classId?: string;
};

/** The dataset's images by path, `limit` at a time; `after` is the previous page's cursor. */
export async function listImages(
  db: DbOrTx,
  params: ImageFilter & { after?: string | null; limit: number },
): Promise<KeysetPage<ImageSummary>> {
  const conditions: (SQL | undefined)[] = [
    eq(images.datasetId, params.datasetId),
    params.status ? eq(images.status, params.status) : undefined,
    params.split === undefined ? undefined : params.split === null ? isNull(images.split) : eq(images.split, params.split),
    params.classId
      ? exists(
          db
            .select({ one: sql`1` })
            .from(annotations)
            .where(and(eq(annotations.imageId, images.id), eq(annotations.classId, params.classId))),
        )
      : undefined,
    params.after ? gt(images.path, params.after) : undefined,
  ];
  const rows = await db
    .select(imageColumns)
    .from(images)
    .where(and(...conditions))
    .orderBy(asc(images.path))
    .limit(params.limit + 1);
  return pageOf(rows, params.limit, (row) => row.path);
}

/** Changes review status, split and/or tags; null when the image does not exist. */
export async function updateImage(
  db: DbOrTx,
  params: { datasetId: string; path: string; status?: ImageStatus; split?: Split | null; tags?: string[] },
): Promise<ImageSummary | null> {
  const [row] = await db
    .update(images)
    .set({ status: params.status, split: params.split, tags: params.tags, updatedAt: sql`now()` })
    .where(and(eq(images.datasetId, params.datasetId), eq(images.path, params.path)))
    .returning(imageColumns);
  return row ?? null;
}

/** Deletes an image and its annotations; returns its blob key so the caller can remove the file. */
export async function deleteImage(
  db: DbOrTx,
  params: { datasetId: string; path: string },
): Promise<{ id: string; blobKey: string | null } | null> {
  const [row] = await db
    .delete(images)
    .where(and(eq(images.datasetId, params.datasetId), eq(images.path, params.path)))
    .returning({ id: images.id, blobKey: images.blobKey });
  return row ?? null;
}

/** `Key (dataset_id, path)=(<uuid>, batch1/x.jpg) already exists.` → `batch1/x.jpg` */
function keyValueOf(detail: string): string {
  const match = /^Key \([^)]*\)=\([^,]*, (.*)\) already exists\.?$/s.exec(detail);
  return match?.[1] ?? "?";
}
