// The web process's services, created once on first use and shared through globalThis (Next
// may load this module more than once). Embedded mode (no DATABASE_URL) also runs the export
// and import workers in this process: PGlite allows one process per data directory.
import { createApiHandler, type ApiServices } from "@pictograph/api";
import { createDb, migrate, type DbHandle } from "@pictograph/db";
import { startWorkers, type Workers } from "@pictograph/exporter";
import { createJobs, surviveLostJobUpdates, type Jobs } from "@pictograph/jobs";
import { createBlobStore } from "@pictograph/storage";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { parseEnv } from "../env";
import { firstStart } from "./first-start";
import { sharedProbe } from "./shared-probe";

export type Runtime = {
  api: ReturnType<typeof createApiHandler>;
  /** GET /api/health: 200 when the database answers and storage is reachable, else 503. */
  healthResponse(): Promise<Response>;
  close(): Promise<void>;
};

const log = (line: string) => console.log(`[pictograph] ${line}`);

async function createRuntime(): Promise<Runtime> {
  const env = parseEnv();
  mkdirSync(env.dataDir, { recursive: true });
  const handle: DbHandle = await createDb({ databaseUrl: env.DATABASE_URL, dataDir: env.dataDir });
  await migrate(handle);
  const storage = createBlobStore(env.storage);
  surviveLostJobUpdates(log);
  const jobs: Jobs = await createJobs({ handle, expireInSeconds: env.EXPORT_TIMEOUT_SECONDS });
  const services: ApiServices = {
    db: handle.db,
    storage,
    enqueue: async (tx, queue, payload) => {
      await jobs.enqueue(tx, queue, payload);
    },
    secret: env.PICTOGRAPH_SECRET ?? embeddedSecret(env.dataDir),
    now: () => new Date(),
    maxUploadBytes: env.MAX_UPLOAD_BYTES,
  };

  if (env.embedded) {
    const started = await firstStart({ db: handle.db, storage, dataDir: env.dataDir, log });
    log(`embedded mode: data in ${env.dataDir}; admin API key in ${started.keyFile}`);
  }
  let workers: Workers | null = null;
  if (env.runWorker) {
    workers = await startWorkers({
      db: handle.db,
      storage,
      jobs,
      workerId: `web@${hostname()}:${process.pid}`,
      concurrency: env.WORKER_CONCURRENCY,
      retentionSeconds: env.EXPORT_RETENTION_DAYS * 86_400,
    });
  }

  const api = createApiHandler(services, {
    onInternalError: (error) => console.error("[pictograph] internal error", error),
  });
  const probe = async (): Promise<Health> => {
    try {
      await handle.db.execute("select 1");
      await storage.healthCheck();
      return {
        status: 200,
        body: { status: "ok", mode: env.embedded ? "embedded" : "postgres", worker: env.runWorker },
      };
    } catch (error) {
      return { status: 503, body: { status: "unavailable", error: (error as Error).message } };
    }
  };
  // A burst of health requests (a load balancer, a benchmark's 50 clients) costs one query
  // and one storage check, not one each.
  const health = sharedProbe(probe, HEALTH_MAX_AGE_MS);
  return {
    api,
    async healthResponse() {
      const { status, body } = await health();
      return Response.json(body, { status });
    },
    async close() {
      await workers?.stop();
      await jobs.stop();
      await handle.close();
    },
  };
}

type Health = { status: number; body: Record<string, unknown> };
/** How long one health probe's answer is reused. */
const HEALTH_MAX_AGE_MS = 1_000;

/** In embedded mode the signing secret is generated once and kept in the data directory. */
function embeddedSecret(dataDir: string): string {
  const file = join(dataDir, "secret");
  if (!existsSync(file))
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
  return readFileSync(file, "utf8").trim();
}

const store = globalThis as unknown as { pictographRuntime?: Promise<Runtime> };

export function getRuntime(): Promise<Runtime> {
  store.pictographRuntime ??= createRuntime().catch((error: unknown) => {
    store.pictographRuntime = undefined;
    throw error;
  });
  return store.pictographRuntime;
}
