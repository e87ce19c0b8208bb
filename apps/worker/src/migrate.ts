// The one-shot `migrate` step of a deployment: database migrations and the pg-boss schema
// with every queue, then exit. Web and workers start after it (docker compose: depends_on).
import { createDb, migrate } from "@pictograph/db";
import { createJobs } from "@pictograph/jobs";
import { parseMigrateEnv } from "./env";

const { DATABASE_URL } = parseMigrateEnv();
const handle = await createDb({ databaseUrl: DATABASE_URL, dataDir: null });
await migrate(handle);
const jobs = await createJobs({ handle });
await jobs.stop();
await handle.close();
console.log("[migrate] database and queues are up to date");
