// What procedures reach the outside world through: built once per process by the app
// (web, or tests) from its configuration. Procedures never construct these themselves.
import type { Db, DbOrTx } from "@pictograph/db";
import type { JobPayloads } from "@pictograph/jobs";
import type { BlobStore } from "@pictograph/storage";

/** The queues requests put work on. */
export type RequestQueue = "export.build" | "import.run";

export type ApiServices = {
  db: Db;
  storage: BlobStore;
  /** Queues a job inside the caller's transaction: it exists only if the transaction commits. */
  enqueue<Q extends RequestQueue>(tx: DbOrTx, queue: Q, payload: JobPayloads[Q]): Promise<void>;
  /** Signs download URLs and sessions. */
  secret: string;
  now(): Date;
  maxUploadBytes: number;
};
