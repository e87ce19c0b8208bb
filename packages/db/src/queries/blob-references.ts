// Which stored files the database still points at, for storage garbage collection: a file
// that no image, export or import row names is an orphan (a dataset deleted with its images,
// a build that died after uploading, an import that finished).
import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { datasetExports, datasetImports, images } from "../schema";

/** The subset of `keys` that some row refers to. */
export async function referencedBlobKeys(
  db: DbOrTx,
  params: { keys: string[] },
): Promise<Set<string>> {
  if (params.keys.length === 0) return new Set();
  const [fromImages, fromExports, fromImports] = await Promise.all([
    db.select({ key: images.blobKey }).from(images).where(inArray(images.blobKey, params.keys)),
    db
      .select({ key: datasetExports.blobKey })
      .from(datasetExports)
      .where(inArray(datasetExports.blobKey, params.keys)),
    db
      .select({ key: datasetImports.blobKey })
      .from(datasetImports)
      .where(inArray(datasetImports.blobKey, params.keys)),
  ]);
  return new Set([...fromImages, ...fromExports, ...fromImports].map((row) => row.key!));
}

/** Deletes completed exports whose retention ended; returns their ZIPs' keys to remove. */
export async function deleteExpiredExports(
  db: DbOrTx,
  params: { now: Date; limit: number },
): Promise<string[]> {
  const expired = db
    .select({ id: datasetExports.id })
    .from(datasetExports)
    .where(and(eq(datasetExports.status, "completed"), lt(datasetExports.expiresAt, params.now)))
    .limit(params.limit);
  const rows = await db
    .delete(datasetExports)
    .where(inArray(datasetExports.id, sql`(${expired})`))
    .returning({ blobKey: datasetExports.blobKey });
  return rows.flatMap((row) => (row.blobKey ? [row.blobKey] : []));
}
