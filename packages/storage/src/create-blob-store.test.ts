import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createBlobStore } from "./create-blob-store";
import { LocalBlobStore } from "./local-store";
import { S3BlobStore } from "./s3-store";
import { parseStorageConfig, StorageConfigError } from "./storage-config";

describe("parseStorageConfig", () => {
  it("accepts a local directory", () => {
    expect(parseStorageConfig({ driver: "local", dir: "/data/blobs" })).toEqual({
      driver: "local",
      dir: "/data/blobs",
    });
  });

  it("accepts a minimal and a complete S3 configuration, dropping empty optional values", () => {
    expect(
      parseStorageConfig({ driver: "s3", bucket: "b", region: "eu-west-1", endpoint: "" }),
    ).toEqual({ driver: "s3", bucket: "b", region: "eu-west-1" });
    const full = {
      driver: "s3",
      endpoint: "http://minio:9000",
      bucket: "b",
      region: "us-east-1",
      accessKeyId: "id",
      secretAccessKey: "secret",
      forcePathStyle: false,
      partSizeBytes: 16 * 1024 * 1024,
      listPageSize: 500,
    };
    expect(parseStorageConfig(full)).toEqual(full);
  });

  it("lists every problem at once", () => {
    const parse = () =>
      parseStorageConfig({
        driver: "s3",
        endpoint: "minio:9000",
        accessKeyId: "id",
        partSizeBytes: 1024,
      });
    expect(parse).toThrow(StorageConfigError);
    expect(parse).toThrow(
      'invalid storage configuration: endpoint must be an http(s) URL, got "minio:9000"; ' +
        "bucket is required; region is required; " +
        "accessKeyId and secretAccessKey must be given together; " +
        "partSizeBytes must be an integer of at least 5242880 (5 MiB)",
    );
  });

  it("refuses an unknown driver and a local driver without a directory", () => {
    expect(() => parseStorageConfig({ driver: "gcs" })).toThrow(
      'driver must be "local" or "s3", got "gcs"',
    );
    expect(() => parseStorageConfig({ driver: "local" })).toThrow("dir is required");
  });
});

describe("createBlobStore", () => {
  it("builds the driver the configuration names", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pictograph-create-"));
    try {
      const local = createBlobStore({ driver: "local", dir });
      expect(local).toBeInstanceOf(LocalBlobStore);
      expect(local.driver).toBe("local");
      expect(local.root).toBe(resolve(dir));
      await local.healthCheck();

      const s3 = createBlobStore({ driver: "s3", bucket: "b", region: "us-east-1" });
      expect(s3).toBeInstanceOf(S3BlobStore);
      expect(s3.driver).toBe("s3");
      s3.destroy();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("validates the configuration it is given", () => {
    expect(() => createBlobStore({ driver: "s3", bucket: "", region: "us-east-1" })).toThrow(
      "bucket is required",
    );
  });
});
