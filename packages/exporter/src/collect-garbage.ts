// Storage garbage collection, run hourly by the workers (the storage.gc schedule): deletes
// expired exports (row and ZIP) and files no row refers to, older than a grace period so a
// file whose row is being written right now is never taken. Temp files of crashed writers
// are the workers' own sweep (startWorkers), timed by the build time limit.
import { deleteExpiredExports, referencedBlobKeys, type Db } from "@pictograph/db";
import type { BlobStore } from "@pictograph/storage";

/** Files younger than this are never orphans: their row may not be committed yet. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;
const PREFIXES = ["exports/", "images/", "imports/"];
const BATCH = 500;

export type GarbageReport = { expiredExports: number; orphans: number };

export async function collectGarbage(
  deps: { db: Db; storage: BlobStore; now?: () => Date },
  options: { graceMs?: number } = {},
): Promise<GarbageReport> {
  const now = (deps.now ?? (() => new Date()))();
  const report: GarbageReport = { expiredExports: 0, orphans: 0 };

  for (;;) {
    const keys = await deleteExpiredExports(deps.db, { now, limit: BATCH });
    for (const key of keys) await deps.storage.delete(key);
    report.expiredExports += keys.length;
    if (keys.length < BATCH) break;
  }

  const cutoff = now.getTime() - (options.graceMs ?? ORPHAN_GRACE_MS);
  for (const prefix of PREFIXES) {
    let batch: string[] = [];
    const sweep = async () => {
      const referenced = await referencedBlobKeys(deps.db, { keys: batch });
      for (const key of batch) {
        if (referenced.has(key)) continue;
        await deps.storage.delete(key);
        report.orphans++;
      }
      batch = [];
    };
    for await (const object of deps.storage.list(prefix)) {
      if (object.modifiedAt.getTime() > cutoff) continue;
      batch.push(object.key);
      if (batch.length >= BATCH) await sweep();
    }
    await sweep();
  }
  return report;
}
