// A Pictograph worker: builds exports and runs imports from the pg-boss queues on PostgreSQL.
// Run any number of these, on any machines that reach the database and the storage. SIGTERM
// stops taking jobs and lets running ones finish; the export of a killed worker is queued
// again by the others once its heartbeat is stale (EXPORT_STALE_SECONDS).
import { createDb, migrate } from "@pictograph/db";
import { startWorkers } from "@pictograph/exporter";
import { createJobs, surviveLostJobUpdates } from "@pictograph/jobs";
import { createBlobStore } from "@pictograph/storage";
import { createServer } from "node:http";
import { hostname } from "node:os";
import { parseEnv } from "./env";

const env = parseEnv();
const workerId = env.WORKER_ID ?? `${hostname()}:${process.pid}`;
const log = (line: string) => console.log(`[worker ${workerId}] ${line}`);
surviveLostJobUpdates(log);

const handle = await createDb({ databaseUrl: env.DATABASE_URL, dataDir: null });
await migrate(handle); // a no-op once `migrate` ran; lets a worker start first
const storage = createBlobStore(env.storage);
const jobs = await createJobs({ handle, expireInSeconds: env.EXPORT_TIMEOUT_SECONDS });
const workers = await startWorkers({
  db: handle.db,
  storage,
  jobs,
  workerId,
  concurrency: env.WORKER_CONCURRENCY,
  retentionSeconds: env.EXPORT_RETENTION_DAYS * 86_400,
  staleAfterSeconds: env.EXPORT_STALE_SECONDS,
  // No upload or build outlives an attempt's time limit: older temp files are a crash's.
  staleTempAfterMs: env.EXPORT_TIMEOUT_SECONDS * 1000,
  buildTimeoutMs: env.EXPORT_TIMEOUT_SECONDS * 1000,
  log,
});

let stopping = false;
const health = env.WORKER_HEALTH_PORT
  ? createServer(async (_req, res) => {
      try {
        await handle.db.execute("select 1");
        await storage.healthCheck();
        res.writeHead(stopping ? 503 : 200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            status: stopping ? "stopping" : "ok",
            worker: workerId,
            finished: workers.finished,
          }),
        );
      } catch (error) {
        res.writeHead(503, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            status: "unavailable",
            worker: workerId,
            error: (error as Error).message,
          }),
        );
      }
    }).listen(env.WORKER_HEALTH_PORT)
  : null;

log(
  `ready: ${env.WORKER_CONCURRENCY} at a time${health ? `, health on :${env.WORKER_HEALTH_PORT}/health` : ""}`,
);

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: finishing running jobs`);
  await jobs.stop({ timeoutMs: env.EXPORT_TIMEOUT_SECONDS * 1000 });
  await workers.stop();
  health?.close();
  await handle.close();
  log("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
