// The benchmark's what-if worker: apps/worker's wiring (createDb, createJobs, startWorkers on
// a local store, one build at a time) with pg-boss polling every 0.5 s instead of the
// default 2 s, to measure what that setting alone would do to a small export's latency.
// Started by exports.bench.ts as a child process with DATABASE_URL and STORAGE_DIR; it is
// not a way to run Pictograph.
import { createDb } from "@pictograph/db";
import { createJobs } from "@pictograph/jobs";
import { createLocalBlobStore } from "@pictograph/storage";
import { startWorkers } from "../src/start-workers";

const POLLING_INTERVAL_SECONDS = 0.5;

const databaseUrl = process.env.DATABASE_URL;
const storageDir = process.env.STORAGE_DIR;
if (!databaseUrl || !storageDir)
  throw new Error("fast-poll-worker needs DATABASE_URL and STORAGE_DIR");

const handle = await createDb({ databaseUrl, dataDir: null });
const jobs = await createJobs({ handle, pollingIntervalSeconds: POLLING_INTERVAL_SECONDS });
const workers = await startWorkers({
  db: handle.db,
  storage: createLocalBlobStore({ dir: storageDir }),
  jobs,
  workerId: `bench-fast-poll:${process.pid}`,
  concurrency: 1,
  log: (line) => console.log(line),
});
console.log("ready: fast-poll worker");

process.once("SIGTERM", () => {
  void (async () => {
    await jobs.stop({ timeoutMs: 10_000 });
    await workers.stop();
    await handle.close();
    process.exit(0);
  })();
});
