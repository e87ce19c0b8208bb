// Import row queries, kept minimal for now: create, get, and the worker's status updates.
import type { Format } from "@pictograph/schema";
import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { datasetImports, type ImportRow } from "../schema";

export type ImportUpdate = Partial<
  Pick<ImportRow, "status" | "progress" | "report" | "errorMessage" | "attempts" | "startedAt" | "completedAt">
>;

export async function createImport(
  db: DbOrTx,
  params: { workspaceId: string; datasetId: string; format: Format; blobKey: string | null },
): Promise<ImportRow> {
  const [row] = await db.insert(datasetImports).values(params).returning();
  return row!;
}

export async function getImport(db: DbOrTx, params: { workspaceId: string; importId: string }): Promise<ImportRow | null> {
  const [row] = await db
    .select()
    .from(datasetImports)
    .where(and(eq(datasetImports.workspaceId, params.workspaceId), eq(datasetImports.id, params.importId)));
  return row ?? null;
}

/** By id alone, for workers: a job payload carries only the import id. */
export async function getImportById(db: DbOrTx, params: { importId: string }): Promise<ImportRow | null> {
  const [row] = await db.select().from(datasetImports).where(eq(datasetImports.id, params.importId));
  return row ?? null;
}

export async function updateImport(
  db: DbOrTx,
  params: { importId: string } & ImportUpdate,
): Promise<ImportRow | null> {
  const { importId, ...changes } = params;
  const [row] = await db.update(datasetImports).set(changes).where(eq(datasetImports.id, importId)).returning();
  return row ?? null;
}

/** A dataset's most recent imports, newest first. */
export async function listImports(db: DbOrTx, params: { datasetId: string; limit: number }): Promise<ImportRow[]> {
  return db
    .select()
    .from(datasetImports)
    .where(eq(datasetImports.datasetId, params.datasetId))
    .orderBy(desc(datasetImports.createdAt), desc(datasetImports.id))
    .limit(params.limit);
}
