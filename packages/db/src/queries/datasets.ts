// Dataset queries. Every function takes the caller's workspaceId: a dataset of another
// workspace is simply not found (the API answers 404, never 403).
import type { ImageStatus } from "@pictograph/schema";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { translateConflicts } from "../errors";
import { pageOf, type KeysetPage } from "./keyset-page";
import { datasets } from "../schema";

export type ImageCounts = Record<ImageStatus, number> & { total: number };
export type DatasetSummary = {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
};
export type DatasetWithCounts = DatasetSummary & { imageCounts: ImageCounts };
export type DatasetPage = KeysetPage<DatasetWithCounts>;

const datasetColumns = {
  id: datasets.id,
  workspaceId: datasets.workspaceId,
  name: datasets.name,
  description: datasets.description,
  createdAt: datasets.createdAt,
  updatedAt: datasets.updatedAt,
};

// One index-only pass over images_dataset_id_status_path_idx per dataset. Written out in
// SQL: drizzle leaves the outer `datasets` unqualified in single-table selects.
const imageCounts = sql<ImageCounts>`(
  SELECT json_build_object(
    'total', count(*),
    'new', count(*) FILTER (WHERE i.status = 'new'),
    'in_progress', count(*) FILTER (WHERE i.status = 'in_progress'),
    'complete', count(*) FILTER (WHERE i.status = 'complete'))
  FROM images i WHERE i.dataset_id = datasets.id)`;

const duplicateName = (name: string) => ({
  datasets_workspace_id_name_key: `dataset "${name}" already exists`,
});

export async function createDataset(
  db: DbOrTx,
  params: { workspaceId: string; name: string; description?: string },
): Promise<DatasetSummary> {
  const [row] = await translateConflicts(
    db
      .insert(datasets)
      .values({
        workspaceId: params.workspaceId,
        name: params.name,
        description: params.description ?? "",
      })
      .returning(datasetColumns),
    duplicateName(params.name),
  );
  return row!;
}

/** The workspace's datasets by name, `limit` at a time; `after` is the previous page's cursor. */
export async function listDatasets(
  db: DbOrTx,
  params: { workspaceId: string; after?: string | null; limit: number },
): Promise<DatasetPage> {
  const rows = await db
    .select({ ...datasetColumns, imageCounts })
    .from(datasets)
    .where(
      and(
        eq(datasets.workspaceId, params.workspaceId),
        params.after ? gt(datasets.name, params.after) : undefined,
      ),
    )
    .orderBy(asc(datasets.name))
    .limit(params.limit + 1);
  return pageOf(rows, params.limit, (row) => row.name);
}

export async function getDataset(
  db: DbOrTx,
  params: { workspaceId: string; name: string },
): Promise<DatasetWithCounts | null> {
  const [row] = await db
    .select({ ...datasetColumns, imageCounts })
    .from(datasets)
    .where(and(eq(datasets.workspaceId, params.workspaceId), eq(datasets.name, params.name)));
  return row ?? null;
}

/** By id alone, for workers: a job's export or import row carries only the dataset id. */
export async function getDatasetById(
  db: DbOrTx,
  params: { datasetId: string },
): Promise<DatasetSummary | null> {
  const [row] = await db
    .select(datasetColumns)
    .from(datasets)
    .where(eq(datasets.id, params.datasetId));
  return row ?? null;
}

/** Renames and/or re-describes a dataset; null when it does not exist in the workspace. */
export async function updateDataset(
  db: DbOrTx,
  params: { workspaceId: string; name: string; newName?: string; description?: string },
): Promise<DatasetSummary | null> {
  const [row] = await translateConflicts(
    db
      .update(datasets)
      .set({ name: params.newName, description: params.description, updatedAt: sql`now()` })
      .where(and(eq(datasets.workspaceId, params.workspaceId), eq(datasets.name, params.name)))
      .returning(datasetColumns),
    duplicateName(params.newName ?? params.name),
  );
  return row ?? null;
}

/**
 * Deletes a dataset with its classes, images, annotations, exports and imports (cascades).
 * Stored files are not touched: the caller removes them by the returned id.
 */
export async function deleteDataset(
  db: DbOrTx,
  params: { workspaceId: string; name: string },
): Promise<{ id: string } | null> {
  const [row] = await db
    .delete(datasets)
    .where(and(eq(datasets.workspaceId, params.workspaceId), eq(datasets.name, params.name)))
    .returning({ id: datasets.id });
  return row ?? null;
}
