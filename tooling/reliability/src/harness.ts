// What the fault tests share: a scratch database with the schema `migrate` applies, a dataset
// stored like an upload, exports queued the way the API queues them, and the checks that
// storage holds whole ZIPs and nothing else. Test support only.
import {
  createDb,
  executeSqlText,
  getExportById,
  type Db,
  type DbHandle,
  type DbOrTx,
  type ExportRow,
} from "@pictograph/db";
import { createJobs, queues, type Jobs } from "@pictograph/jobs";
import type { Format } from "@pictograph/schema";
import type { BlobStore } from "@pictograph/storage";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { runMigrate } from "../../../apps/worker/test/worker-process";
import {
  createExportRow,
  downloadZip,
  listKeys,
  type StoredDataset,
} from "../../../packages/exporter/test/fixture-dataset";
import {
  createScratchDatabase,
  type ScratchDatabase,
} from "../../self-hosting/src/scratch-database";
import { DATABASE_URL } from "./env";

export { storeDataset } from "../../../packages/exporter/test/fixture-dataset";
export {
  generatedClasses,
  generatedImages,
} from "../../../packages/exporter/test/generated-images";
export { waitFor } from "../../../packages/exporter/test/wait-for";
export {
  startWorkerProcess,
  stopWorkerProcess,
  type WorkerProcess,
} from "../../../apps/worker/test/worker-process";

const run = promisify(execFile);

export type Scratch = {
  database: ScratchDatabase;
  handle: DbHandle;
  db: Db;
  jobs: Jobs;
  close(): Promise<void>;
};

/** A new database on `serverUrl` (default: the suite's server), migrated by `migrate`. */
export async function openScratch(
  prefix: string,
  options: { serverUrl?: string; expireInSeconds?: number } = {},
): Promise<Scratch> {
  const database = await createScratchDatabase(options.serverUrl ?? DATABASE_URL, prefix);
  runMigrate(database.url);
  const handle = await createDb({ databaseUrl: database.url, dataDir: null, poolMax: 4 });
  const jobs = await createJobs({
    handle,
    expireInSeconds: options.expireInSeconds,
    onError: () => {},
  });
  return {
    database,
    handle,
    db: handle.db,
    jobs,
    async close() {
      await jobs.stop({ timeoutMs: 2_000 }).catch(() => {});
      await handle.close().catch(() => {});
      await database.drop();
    },
  };
}

/** Creates the export row and queues its build in one transaction, as the API does. */
export async function queueExport(
  scratch: Pick<Scratch, "db" | "jobs">,
  dataset: StoredDataset,
  options: { format: Format; includeImages: boolean },
): Promise<ExportRow> {
  return scratch.db.transaction(async (tx: DbOrTx) => {
    const row = await createExportRow(tx, dataset, { ...options, statusFilter: "all" });
    await scratch.jobs.enqueue(tx, queues.exportBuild, { exportId: row.id });
    return row;
  });
}

export async function rowsOf(db: Db, ids: string[]): Promise<ExportRow[]> {
  return Promise.all(ids.map(async (exportId) => (await getExportById(db, { exportId }))!));
}

/** The export's row once it has ended (completed or failed), else false: for waitFor. */
export async function endedRow(db: Db, exportId: string): Promise<ExportRow | false> {
  const row = (await getExportById(db, { exportId }))!;
  return (row.status === "completed" || row.status === "failed") && row;
}

export async function countProcessing(db: Db): Promise<number> {
  const { rows } = await executeSqlText(
    db,
    "SELECT count(*)::int AS n FROM exports WHERE status = 'processing'",
  );
  return Number(rows[0]!.n);
}

/**
 * Storage holds exactly the published ZIPs of `rows` under exports/ (no partial or orphaned
 * object), and each one is whole: Info-ZIP's `unzip -t` passes and its SHA-256 is the row's.
 */
export async function expectOnlyWholeZips(storage: BlobStore, rows: ExportRow[]): Promise<void> {
  const keys = await listKeys(storage, "exports/");
  const published = rows
    .filter((row) => row.status === "completed")
    .map((row) => row.blobKey!)
    .sort();
  if (JSON.stringify(keys) !== JSON.stringify(published))
    throw new Error(
      `storage holds ${JSON.stringify(keys)}, but the published ZIPs are ${JSON.stringify(published)}`,
    );
  for (const row of rows.filter((r) => r.status === "completed")) {
    const zip = await downloadZip(storage, row.blobKey!);
    try {
      if (zip.sha256 !== row.sha256)
        throw new Error(`export ${row.id}: stored ZIP's SHA-256 differs from its row's`);
      await run("unzip", ["-tqq", zip.path]);
    } finally {
      await zip.close();
    }
  }
}
