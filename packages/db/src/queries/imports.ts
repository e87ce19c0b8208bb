// Import row queries, kept minimal for now: create, get, and the worker's status updates.
import type { Format } from "@pictograph/schema";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { datasetImports, type ImportRow } from "../schema";

export type ImportUpdate = Partial<
  Pick<
    ImportRow,
    "status" | "progress" | "report" | "errorMessage" | "attempts" | "startedAt" | "completedAt"
  >
>;

export async function createImport(
  db: DbOrTx,
  params: { workspaceId: string; datasetId: string; format: Format; blobKey: string | null },
): Promise<ImportRow> {
  const [row] = await db.insert(datasetImports).values(params).returning();
  return row!;
}

export async function getImport(
  db: DbOrTx,
  params: { workspaceId: string; importId: string },
): Promise<ImportRow | null> {
  const [row] = await db
    .select()
    .from(datasetImports)
    .where(
      and(
        eq(datasetImports.workspaceId, params.workspaceId),
        eq(datasetImports.id, params.importId),
      ),
    );
  return row ?? null;
}

/** By id alone, for workers: a job payload carries only the import id. */
export async function getImportById(
  db: DbOrTx,
  params: { importId: string },
): Promise<ImportRow | null> {
  const [row] = await db
    .select()
    .from(datasetImports)
    .where(eq(datasetImports.id, params.importId));
  return row ?? null;
}

export async function updateImport(
  db: DbOrTx,
  params: { importId: string } & ImportUpdate,
): Promise<ImportRow | null> {
  const { importId, ...changes } = params;
  const [row] = await db
    .update(datasetImports)
    .set(changes)
    .where(eq(datasetImports.id, importId))
    .returning();
  return row ?? null;
}

/** A dataset's most recent imports, newest first. */
export async function listImports(
  db: DbOrTx,
  params: { datasetId: string; limit: number },
): Promise<ImportRow[]> {
  return db
    .select()
    .from(datasetImports)
    .where(eq(datasetImports.datasetId, params.datasetId))
    .orderBy(desc(datasetImports.createdAt), desc(datasetImports.id))
    .limit(params.limit);
}

/** Takes a pending import for a worker (status processing, attempts + 1); null when it is
 * gone or already finished. Imports are not fenced like exports: one job runs an import. */
export async function claimImport(
  db: DbOrTx,
  params: { importId: string },
): Promise<ImportRow | null> {
  const [row] = await db
    .update(datasetImports)
    .set({
      status: "processing",
      attempts: sql`${datasetImports.attempts} + 1`,
      startedAt: sql`now()`,
      progress: 0,
    })
    .where(
      and(
        eq(datasetImports.id, params.importId),
        inArray(datasetImports.status, ["pending", "processing"]),
      ),
    )
    .returning();
  return row ?? null;
}
