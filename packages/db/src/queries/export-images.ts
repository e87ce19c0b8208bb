// The access path exports stream through: a dataset's selected images in path order with
// their annotations, one round trip per page (never OFFSET, never the whole table).
import type { DatasetImage, Split, StatusFilter } from "@pictograph/schema";
import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { selectRows } from "../raw-sql";
import { annotationListOf } from "./canonical-annotations";
import { pageOf, type KeysetPage } from "./keyset-page";

export type ExportImageFilter = {
  datasetId: string;
  statusFilter: StatusFilter;
  /** A split, or null for images without one; leave out for every image. */
  split?: Split | null;
  /**
   * Classes whose annotations to keep; null keeps all. Images whose annotations are all
   * filtered out still appear, with an empty list (DESIGN.md: class_filter).
   */
  classIds?: readonly string[] | null;
};

/** One selected image: the canonical record formats write, plus where its file is stored. */
export type ExportImage = {
  id: string;
  blobKey: string | null;
  sha256: string | null;
  mime: string | null;
  sizeBytes: number | null;
  image: DatasetImage;
};

export async function pageExportImages(
  db: DbOrTx,
  params: ExportImageFilter & { after?: string | null; limit: number },
): Promise<KeysetPage<ExportImage>> {
  const after = params.after ? sql`AND i.path > ${params.after}` : sql``;
  const rows = await selectRows<Omit<ExportImage, "sizeBytes"> & { sizeBytes: unknown }>(
    db,
    sql`
    SELECT i.id, i.blob_key AS "blobKey", i.sha256, i.mime, i.size_bytes AS "sizeBytes",
      json_build_object(
        'path', i.path, 'width', i.width, 'height', i.height, 'status', i.status,
        'split', i.split, 'tags', i.tags,
        'annotations', ${annotationListOf(sql`i.id`, params.classIds)}) AS image
    FROM images i
    WHERE ${selectedImages(params)} ${after}
    ORDER BY i.path
    LIMIT ${params.limit + 1}`,
  );
  // bigint arrives as a string from node-postgres and as a number from PGlite.
  const items = rows.map((row) => ({
    ...row,
    sizeBytes: row.sizeBytes === null ? null : Number(row.sizeBytes),
  }));
  return pageOf(items, params.limit, (item) => item.image.path);
}

export type ExportImageCount = { split: Split | null; images: number; annotations: number };

/** How many images and (surviving) annotations an export will hold, per split. */
export async function countExportImages(
  db: DbOrTx,
  params: ExportImageFilter,
): Promise<ExportImageCount[]> {
  const perImage = params.classIds
    ? sql`(SELECT count(*) FROM annotations a WHERE a.image_id = i.id AND a.class_id = ANY(${sql.param(params.classIds)}::uuid[]))`
    : sql`i.annotation_count`;
  const rows = await selectRows<{ split: Split | null; images: unknown; annotations: unknown }>(
    db,
    sql`
    SELECT i.split, count(*) AS images, COALESCE(sum(${perImage}), 0) AS annotations
    FROM images i
    WHERE ${selectedImages(params)}
    GROUP BY i.split
    ORDER BY i.split NULLS FIRST`,
  );
  return rows.map((r) => ({
    split: r.split,
    images: Number(r.images),
    annotations: Number(r.annotations),
  }));
}

function selectedImages(params: ExportImageFilter): SQL {
  const status = params.statusFilter === "all" ? sql`` : sql`AND i.status = ${params.statusFilter}`;
  const split =
    params.split === undefined
      ? sql``
      : params.split === null
        ? sql`AND i.split IS NULL`
        : sql`AND i.split = ${params.split}`;
  return sql`i.dataset_id = ${params.datasetId} ${status} ${split}`;
}
