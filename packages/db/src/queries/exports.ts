// Export row queries, kept minimal for now: create, get, and the worker's status updates.
// The exports issue extends them (listing, idempotent create, heartbeats).
import type { ExportStatus, Format, StatusFilter } from "@pictograph/schema";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { translateConflicts } from "../errors";
import { datasetExports, type ExportRow } from "../schema";

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
    exports_workspace_id_idempotency_key_key: "an export was already created with this idempotency key",
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
export async function getExportById(db: DbOrTx, params: { exportId: string }): Promise<ExportRow | null> {
  const [row] = await db.select().from(datasetExports).where(eq(datasetExports.id, params.exportId));
  return row ?? null;
}

export async function updateExport(
  db: DbOrTx,
  params: { exportId: string; status?: ExportStatus } & ExportUpdate,
): Promise<ExportRow | null> {
  const { exportId, ...changes } = params;
  const [row] = await db.update(datasetExports).set(changes).where(eq(datasetExports.id, exportId)).returning();
  return row ?? null;
}
