// The access path exports stream through: a dataset's selected images in path order with
// their annotations, one round trip per page (never OFFSET, never the whole table).
import type { DatasetImage, Split, StatusFilter } from "@pictograph/schema";
import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { selectRows } from "../raw-sql";
import {
  annotationsFromTuples,
  annotationTuplesOf,
  type TupleClass,
} from "./canonical-annotations";
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

type ExportImagePageParams = ExportImageFilter & {
  after?: string | null;
  /** Last path of the page (inclusive), when the page is one range of exportPageBounds. */
  upTo?: string | null;
  limit: number;
  /**
   * false: every image comes with an empty annotation list, for a pass over the images
   * alone (image members, VOC's ImageSets), at a small fraction of the cost.
   */
  annotations?: boolean;
  /** Class ids the annotation tuples name by number (classNamer's numberedClasses). */
  numberedClasses?: readonly string[];
};

/**
 * A page of selected images as the database sent them, annotations still JSON text: a
 * reader that asks for the next page before it turns these into ExportImages
 * (`exportImageOf`) keeps the database busy while it parses.
 */
export async function pageExportImageRows(
  db: DbOrTx,
  params: ExportImagePageParams,
): Promise<KeysetPage<ExportImageRow>> {
  const after = params.after ? sql`AND i.path > ${params.after}` : sql``;
  const upTo = params.upTo ? sql`AND i.path <= ${params.upTo}` : sql``;
  const annotations =
    params.annotations === false
      ? sql`NULL`
      : annotationTuplesOf(sql`i.id`, {
          classIds: params.classIds,
          numberedClasses: params.numberedClasses,
        });
  const rows = await selectRows<ExportImageRow>(
    db,
    sql`
    SELECT i.id, i.blob_key AS "blobKey", i.sha256, i.mime, i.size_bytes AS "sizeBytes",
      i.path, i.width, i.height, i.status, i.split, i.tags, ${annotations} AS annotations
    FROM images i
    WHERE ${selectedImages(params)} ${after} ${upTo}
    ORDER BY i.path
    LIMIT ${params.limit + 1}`,
  );
  return pageOf(rows, params.limit, (row) => row.path);
}

/** The path of every `pageSize`-th selected image: the upper bounds of pages that can be
 * fetched at the same time. */
export async function exportPageBounds(
  db: DbOrTx,
  params: ExportImageFilter & { pageSize: number },
): Promise<string[]> {
  const rows = await selectRows<{ path: string }>(
    db,
    sql`
    SELECT path FROM (
      SELECT i.path, row_number() OVER (ORDER BY i.path) AS n
      FROM images i
      WHERE ${selectedImages(params)}
    ) numbered
    WHERE n % ${params.pageSize} = 0
    ORDER BY path`,
  );
  return rows.map((r) => r.path);
}

/** `className` names the class of each annotation tuple (see classNamer). */
export function exportImageOf(
  row: ExportImageRow,
  className: (key: TupleClass) => string,
): ExportImage {
  return {
    id: row.id,
    blobKey: row.blobKey,
    sha256: row.sha256,
    mime: row.mime,
    // bigint arrives as a string from node-postgres and as a number from PGlite.
    sizeBytes: row.sizeBytes === null ? null : Number(row.sizeBytes),
    image: {
      path: row.path,
      width: row.width,
      height: row.height,
      status: row.status,
      split: row.split,
      tags: row.tags,
      annotations: annotationsFromTuples(row.annotations, className),
    },
  };
}

export type ExportImageRow = Omit<ExportImage, "sizeBytes" | "image"> &
  Omit<DatasetImage, "annotations"> & { sizeBytes: unknown; annotations: string | null };

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
