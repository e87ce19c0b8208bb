// What procedures reach the outside world through: built once per process by the app
// (web, or tests) from its configuration. Procedures never construct these themselves.
import type { Db, DbOrTx } from "@pictograph/db";
import type { BlobStore } from "@pictograph/storage";

export type JobPayloads = { "export.build": { exportId: string }; "import.run": { importId: string } };

export type ApiServices = {
  db: Db;
  storage: BlobStore;
  /** Queues a job inside the caller's transaction: it exists only if the transaction commits. */
  enqueue<Q extends keyof JobPayloads>(tx: DbOrTx, queue: Q, payload: JobPayloads[Q]): Promise<void>;
  /** Signs download URLs and sessions. */
  secret: string;
  now(): Date;
  maxUploadBytes: number;
};
