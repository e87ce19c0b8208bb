// Image queries, by dataset id. The dataset id must come from a workspace-scoped lookup
// (getDataset), which is how these stay inside the caller's workspace.
import type { ImageStatus, Split } from "@pictograph/schema";
import { and, asc, eq, exists, gt, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { translateConflicts } from "../errors";
import { annotations, images } from "../schema";
import { selectRows } from "../raw-sql";
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

// Rows travel as one JSON parameter (no 65,535-parameter limit), which PostgreSQL unpacks
// with jsonb_to_recordset: several times faster than multi-row VALUES on both backends.
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
    const idByPath = new Map<string, string>();
    for (let start = 0; start < params.images.length; start += IMAGE_ROWS_PER_STATEMENT) {
      const chunk = params.images.slice(start, start + IMAGE_ROWS_PER_STATEMENT).map((image) => ({
        path: image.path,
        width: image.width,
        height: image.height,
        status: image.status ?? "new",
        split: image.split ?? null,
        tags: image.tags ?? [],
        sha256: image.sha256 ?? null,
        size_bytes: image.sizeBytes ?? null,
        mime: image.mime ?? null,
        blob_key: image.blobKey ?? null,
      }));
      const rows = await translateConflicts(
        selectRows<{ id: string; path: string }>(
          tx,
          sql`
          INSERT INTO images (dataset_id, path, width, height, status, split, tags, sha256, size_bytes, mime, blob_key)
          SELECT ${params.datasetId}, r.path, r.width, r.height, r.status, r.split, r.tags, r.sha256, r.size_bytes, r.mime, r.blob_key
          FROM jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) AS r(
            path text, width int, height int, status text, split text, tags text[],
            sha256 text, size_bytes bigint, mime text, blob_key text)
          RETURNING id, path`,
        ),
        pathConflicts,
      );
      for (const row of rows) idByPath.set(row.path, row.id);
    }
    return params.images.map((image) => ({ id: idByPath.get(image.path)!, path: image.path }));
  });
}

export async function getImage(
  db: DbOrTx,
  params: { datasetId: string; path: string },
): Promise<ImageSummary | null> {
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
    params.split === undefined
      ? undefined
      : params.split === null
        ? isNull(images.split)
        : eq(images.split, params.split),
    params.classId
      ? exists(
          db
            .select({ one: sql`1` })
            .from(annotations)
            .where(
              and(eq(annotations.imageId, images.id), eq(annotations.classId, params.classId)),
            ),
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
  params: {
    datasetId: string;
    path: string;
    status?: ImageStatus;
    split?: Split | null;
    tags?: string[];
  },
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

/** Points an existing image at a newly stored file (a re-upload); annotations stay. Returns
 * the image and the file it had before, so the caller can delete that; null when no image. */
export async function replaceImageFile(
  db: DbOrTx,
  params: {
    datasetId: string;
    path: string;
    width: number;
    height: number;
    sha256: string;
    sizeBytes: number;
    mime: string;
    blobKey: string;
  },
): Promise<{ image: ImageSummary; previousBlobKey: string | null } | null> {
  const { datasetId, path, ...file } = params;
  return db.transaction(async (tx) => {
    const [previous] = await tx
      .select({ blobKey: images.blobKey })
      .from(images)
      .where(and(eq(images.datasetId, datasetId), eq(images.path, path)))
      .for("update");
    if (!previous) return null;
    const [image] = await tx
      .update(images)
      .set({ ...file, updatedAt: sql`now()` })
      .where(and(eq(images.datasetId, datasetId), eq(images.path, path)))
      .returning(imageColumns);
    return { image: image!, previousBlobKey: previous.blobKey };
  });
}

/** Which of `paths` already exist in the dataset, with their stored file (if any). */
export async function findImagesByPath(
  db: DbOrTx,
  params: { datasetId: string; paths: string[] },
): Promise<{ path: string; blobKey: string | null }[]> {
  if (params.paths.length === 0) return [];
  return db
    .select({ path: images.path, blobKey: images.blobKey })
    .from(images)
    .where(and(eq(images.datasetId, params.datasetId), inArray(images.path, params.paths)));
}
