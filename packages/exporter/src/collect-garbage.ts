// Storage garbage collection, run hourly by the workers (the storage.gc schedule): deletes
// expired exports (row and ZIP) and files no row refers to, older than a grace period so a
// file whose row is being written right now is never taken; and, at any age, export ZIPs of
// attempts their row says can never be published. Temp files of crashed writers are the
// workers' own sweep (startWorkers), timed by the build time limit.
import {
  deleteExpiredExports,
  getExportById,
  referencedBlobKeys,
  type Db,
  type ExportRow,
} from "@pictograph/db";
import type { BlobStore } from "@pictograph/storage";
import { EXPORTS_PREFIX, exportIdOfKey, isSupersededAttempt } from "./export-keys";

/** Files younger than this are never orphans: their row may not be committed yet. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;
const PREFIXES = [EXPORTS_PREFIX, "images/", "imports/"];
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
    const old: string[] = [];
    const young: string[] = [];
    const sweep = async (keys: string[], isGarbage: (key: string) => Promise<boolean>) => {
      const referenced = await referencedBlobKeys(deps.db, { keys });
      for (const key of keys) {
        if (referenced.has(key) || !(await isGarbage(key))) continue;
        await deps.storage.delete(key);
        report.orphans++;
      }
    };
    const sweepOld = () => sweep(old.splice(0), async () => true);
    // A young export ZIP is taken only when its row says it can never be published (a build
    // killed after its upload, or taken over): its row exists, so nothing is on the way.
    const sweepYoung = async () => {
      const rows = new Map<string, ExportRow | null>();
      await sweep(young.splice(0), async (key) => {
        const exportId = exportIdOfKey(key);
        if (!exportId) return false;
        if (!rows.has(exportId)) rows.set(exportId, await getExportById(deps.db, { exportId }));
        const row = rows.get(exportId)!;
        return row !== null && isSupersededAttempt(exportId, key, row);
      });
    };
    for await (const object of deps.storage.list(prefix)) {
      if (object.modifiedAt.getTime() <= cutoff) {
        old.push(object.key);
        if (old.length >= BATCH) await sweepOld();
      } else if (prefix === EXPORTS_PREFIX) {
        young.push(object.key);
        if (young.length >= BATCH) await sweepYoung();
      }
    }
    await sweepOld();
    await sweepYoung();
  }
  return report;
}
