// The web app's configuration, parsed once from the environment (STYLE.md item 3).
// Nothing else in the app reads process.env.
import { resolve } from "node:path";
import { z } from "zod";

const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const EnvSchema = z
  .object({
    DATABASE_URL: optional,
    PICTOGRAPH_DATA_DIR: z.string().default(".pictograph"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().default("0.0.0.0"),
    STORAGE_DRIVER: z.enum(["local", "s3"]).default("local"),
    STORAGE_DIR: optional,
    S3_ENDPOINT: optional,
    /** Where browsers and SDKs reach the same S3 server; download URLs are presigned for it. */
    S3_PUBLIC_ENDPOINT: optional,
    S3_BUCKET: optional,
    S3_REGION: z.string().default("us-east-1"),
    S3_ACCESS_KEY_ID: optional,
    S3_SECRET_ACCESS_KEY: optional,
    PICTOGRAPH_SECRET: optional,
    /** Serve the web UI; `false` serves the API alone (tests, headless installs). */
    PICTOGRAPH_UI: z.enum(["true", "false"]).default("true"),
    /** Build exports inside the web process; default: only in embedded mode. */
    PICTOGRAPH_RUN_WORKER: z.enum(["true", "false"]).optional(),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    EXPORT_TIMEOUT_SECONDS: z.coerce.number().int().min(10).default(3600),
    EXPORT_RETENTION_DAYS: z.coerce.number().min(0.001).default(7),
    MAX_UPLOAD_BYTES: z.coerce.number().int().min(1).default(200 * 1024 * 1024),
  })
  .superRefine((env, ctx) => {
    if (env.DATABASE_URL && !env.PICTOGRAPH_SECRET)
      ctx.addIssue({ code: "custom", path: ["PICTOGRAPH_SECRET"], message: "is required when DATABASE_URL is set" });
    if (env.STORAGE_DRIVER === "s3" && !env.S3_BUCKET)
      ctx.addIssue({ code: "custom", path: ["S3_BUCKET"], message: "is required when STORAGE_DRIVER=s3" });
  });

export type WebEnv = ReturnType<typeof parseEnv>;

export function parseEnv(source: Record<string, string | undefined> = process.env) {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`invalid configuration:\n${problems}`);
  }
  const env = result.data;
  const dataDir = resolve(env.PICTOGRAPH_DATA_DIR);
  return {
    ...env,
    dataDir,
    embedded: !env.DATABASE_URL,
    serveUi: env.PICTOGRAPH_UI === "true",
    runWorker: env.PICTOGRAPH_RUN_WORKER ? env.PICTOGRAPH_RUN_WORKER === "true" : !env.DATABASE_URL,
    storage:
      env.STORAGE_DRIVER === "s3"
        ? {
            driver: "s3" as const,
            endpoint: env.S3_ENDPOINT,
            publicEndpoint: env.S3_PUBLIC_ENDPOINT,
            bucket: env.S3_BUCKET!,
            region: env.S3_REGION,
            accessKeyId: env.S3_ACCESS_KEY_ID,
            secretAccessKey: env.S3_SECRET_ACCESS_KEY,
          }
        : { driver: "local" as const, dir: env.STORAGE_DIR ? resolve(env.STORAGE_DIR) : resolve(dataDir, "storage") },
  };
}

/** `pnpm admin` needs only where the database is (and the secret, to ask a running server). */
export function parseAdminEnv(source: Record<string, string | undefined> = process.env) {
  const databaseUrl = source.DATABASE_URL?.trim() || undefined;
  return {
    DATABASE_URL: databaseUrl,
    PICTOGRAPH_SECRET: source.PICTOGRAPH_SECRET?.trim() || undefined,
    dataDir: resolve(source.PICTOGRAPH_DATA_DIR?.trim() || ".pictograph"),
  };
}

/** Next reads a production build's resolved configuration from here (see src/server/main.ts). */
export function applyNextBuildConfig(config: object) {
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
}
