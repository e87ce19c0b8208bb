// The worker's configuration, parsed once from the environment (STYLE.md item 3).
import { resolve } from "node:path";
import { z } from "zod";

const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const EnvSchema = z
  .object({
    DATABASE_URL: z.string({ error: "is required: workers share PostgreSQL with the web app" }).min(1),
    STORAGE_DRIVER: z.enum(["local", "s3"]).default("local"),
    STORAGE_DIR: optional,
    S3_ENDPOINT: optional,
    S3_BUCKET: optional,
    S3_REGION: z.string().default("us-east-1"),
    S3_ACCESS_KEY_ID: optional,
    S3_SECRET_ACCESS_KEY: optional,
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    EXPORT_TIMEOUT_SECONDS: z.coerce.number().int().min(10).default(3600),
    /** A build whose worker has not saved its heartbeat (every second) for this long is
     * presumed dead: a retry of its job may take the export over. */
    EXPORT_STALE_SECONDS: z.coerce.number().int().min(2).default(30),
    EXPORT_RETENTION_DAYS: z.coerce.number().min(0.001).default(7),
    /** /health on this port reports the worker's state; 0 turns it off. */
    WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    /** Names this worker on the exports it builds; default host:pid. */
    WORKER_ID: optional,
  });

/** Rules across variables, checked on the raw values so they are reported alongside any other
 * problem (a refinement on the schema would run only once everything else is valid). */
function storageProblems(source: Record<string, string | undefined>): string[] {
  const driver = source.STORAGE_DRIVER?.trim() || "local";
  if (driver === "s3" && !source.S3_BUCKET?.trim()) return ["S3_BUCKET: is required when STORAGE_DRIVER=s3"];
  if (driver === "local" && !source.STORAGE_DIR?.trim())
    return ["STORAGE_DIR: is required when STORAGE_DRIVER=local (the web app's storage directory)"];
  return [];
}

export function parseEnv(source: Record<string, string | undefined> = process.env) {
  const result = EnvSchema.safeParse(source);
  const problems = [
    ...(result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)),
    ...storageProblems(source),
  ];
  if (!result.success || problems.length > 0)
    throw new Error(`invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  const env = result.data;
  return {
    ...env,
    storage:
      env.STORAGE_DRIVER === "s3"
        ? {
            driver: "s3" as const,
            endpoint: env.S3_ENDPOINT,
            bucket: env.S3_BUCKET!,
            region: env.S3_REGION,
            accessKeyId: env.S3_ACCESS_KEY_ID,
            secretAccessKey: env.S3_SECRET_ACCESS_KEY,
          }
        : { driver: "local" as const, dir: resolve(env.STORAGE_DIR!) },
  };
}

/** `migrate` needs only the database. */
export function parseMigrateEnv(source: Record<string, string | undefined> = process.env) {
  const url = source.DATABASE_URL?.trim();
  if (!url) throw new Error("invalid configuration:\n  DATABASE_URL: is required");
  return { DATABASE_URL: url };
}
