// Export row queries for the API: create, get, list, delete. The worker's side of a row
// (claim, heartbeat, publish) is in export-builds.ts.
import type { ExportStatus, Format, StatusFilter } from "@pictograph/schema";
import { and, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { translateConflicts } from "../errors";
import { datasets, datasetExports, type ExportRow } from "../schema";
import { pageOf, type KeysetPage } from "./keyset-page";

export type NewExport = {
  workspaceId: string;
  datasetId: string;
  name: string;
  format: Format;
  includeImages: boolean;
  classFilter: string[] | null;
  statusFilter: StatusFilter;
  idempotencyKey?: string | null;
};

/** What a build may change on its export row. */
export type ExportUpdate = Partial<
  Pick<
    ExportRow,
    | "status"
    | "progress"
    | "imageCount"
    | "annotationCount"
    | "sizeBytes"
    | "sha256"
    | "blobKey"
    | "errorMessage"
    | "attempts"
    | "workerId"
    | "startedAt"
    | "heartbeatAt"
    | "completedAt"
    | "expiresAt"
  >
>;

export async function createExport(db: DbOrTx, params: NewExport): Promise<ExportRow> {
  const [row] = await translateConflicts(db.insert(datasetExports).values(params).returning(), {
    exports_dataset_id_name_key: `export "${params.name}" already exists in this dataset`,
    exports_workspace_id_idempotency_key_key:
      "an export was already created with this idempotency key",
  });
  return row!;
}

export async function getExport(
  db: DbOrTx,
  params: { workspaceId: string; datasetId: string; name: string },
): Promise<ExportRow | null> {
  const [row] = await db
    .select()
    .from(datasetExports)
    .where(
      and(
        eq(datasetExports.workspaceId, params.workspaceId),
        eq(datasetExports.datasetId, params.datasetId),
        eq(datasetExports.name, params.name),
      ),
    );
  return row ?? null;
}

/** By id alone, for workers: a job payload carries only the export id. */
export async function getExportById(
  db: DbOrTx,
  params: { exportId: string },
): Promise<ExportRow | null> {
  const [row] = await db
    .select()
    .from(datasetExports)
    .where(eq(datasetExports.id, params.exportId));
  return row ?? null;
}

export async function updateExport(
  db: DbOrTx,
  params: { exportId: string; status?: ExportStatus } & ExportUpdate,
): Promise<ExportRow | null> {
  const { exportId, ...changes } = params;
  const [row] = await db
    .update(datasetExports)
    .set(changes)
    .where(eq(datasetExports.id, exportId))
    .returning();
  return row ?? null;
}

export async function getExportByIdempotencyKey(
  db: DbOrTx,
  params: { workspaceId: string; idempotencyKey: string },
): Promise<ExportRow | null> {
  const [row] = await db
    .select()
    .from(datasetExports)
    .where(
      and(
        eq(datasetExports.workspaceId, params.workspaceId),
        eq(datasetExports.idempotencyKey, params.idempotencyKey),
      ),
    );
  return row ?? null;
}

export type ExportListItem = ExportRow & { datasetName: string };

/**
 * The workspace's exports, newest first, across datasets or in one. The cursor is the last
 * row's (created_at, id), with created_at as PostgreSQL's text so no microsecond is lost.
 */
export async function listExports(
  db: DbOrTx,
  params: {
    workspaceId: string;
    datasetId?: string;
    status?: ExportStatus;
    after?: string | null;
    limit: number;
  },
): Promise<KeysetPage<ExportListItem>> {
  const cursor = params.after ? decodeCursor(params.after) : null;
  const rows = await db
    .select({
      row: datasetExports,
      datasetName: datasets.name,
      createdAtText: sql<string>`${datasetExports.createdAt}::text`,
    })
    .from(datasetExports)
    .innerJoin(datasets, eq(datasets.id, datasetExports.datasetId))
    .where(
      and(
        eq(datasetExports.workspaceId, params.workspaceId),
        params.datasetId ? eq(datasetExports.datasetId, params.datasetId) : undefined,
        params.status ? eq(datasetExports.status, params.status) : undefined,
        cursor
          ? sql`(${datasetExports.createdAt}, ${datasetExports.id}) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(datasetExports.createdAt), desc(datasetExports.id))
    .limit(params.limit + 1);
  const page = pageOf(rows, params.limit, (r) => encodeCursor(r.createdAtText, r.row.id));
  return {
    items: page.items.map((r) => ({ ...r.row, datasetName: r.datasetName })),
    nextCursor: page.nextCursor,
  };
}

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString("base64url");
}

/** A cursor we did not make reads as "from the start" rather than failing the request. */
function decodeCursor(cursor: string): { createdAt: string; id: string } | null {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown[];
    if (typeof createdAt !== "string" || typeof id !== "string") return null;
    if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?[+-]\d\d(:\d\d)?$/.test(createdAt)) return null;
    if (!/^[0-9a-f-]{36}$/.test(id)) return null;
    return { createdAt, id };
  } catch {
    return null;
  }
}

/** Deletes the row; a build in progress notices at its next heartbeat and stops. */
export async function deleteExport(
  db: DbOrTx,
  params: { exportId: string },
): Promise<{ blobKey: string | null } | null> {
  const [row] = await db
    .delete(datasetExports)
    .where(eq(datasetExports.id, params.exportId))
    .returning({ blobKey: datasetExports.blobKey });
  return row ?? null;
}
