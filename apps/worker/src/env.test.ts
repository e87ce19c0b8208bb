// The worker's configuration: what a deployer gets for a missing or wrong variable, and the
// defaults that decide how builds are timed and taken over.
import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

const minimal = { DATABASE_URL: "postgres://db/pictograph", STORAGE_DIR: "/data/storage" };

describe("parseEnv", () => {
  it("defaults the build time limit, the heartbeat takeover and the concurrency", () => {
    expect(parseEnv(minimal)).toMatchObject({
      EXPORT_TIMEOUT_SECONDS: 3600,
      EXPORT_STALE_SECONDS: 30,
      WORKER_CONCURRENCY: 2,
      storage: { driver: "local", dir: "/data/storage" },
    });
  });

  it("names every problem at once", () => {
    expect(() => parseEnv({ EXPORT_STALE_SECONDS: "1", EXPORT_TIMEOUT_SECONDS: "5" })).toThrow(
      /DATABASE_URL: is required[\s\S]*EXPORT_TIMEOUT_SECONDS[\s\S]*EXPORT_STALE_SECONDS[\s\S]*STORAGE_DIR: is required/,
    );
  });

  it("needs a bucket for S3 storage, and no directory", () => {
    expect(() => parseEnv({ DATABASE_URL: "postgres://db/x", STORAGE_DRIVER: "s3" })).toThrow(
      /S3_BUCKET: is required when STORAGE_DRIVER=s3/,
    );
    expect(
      parseEnv({ DATABASE_URL: "postgres://db/x", STORAGE_DRIVER: "s3", S3_BUCKET: "exports" })
        .storage,
    ).toMatchObject({ driver: "s3", bucket: "exports" });
  });
});
