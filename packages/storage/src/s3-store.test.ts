// What only the S3 driver does: presigned downloads, outages, bucket set-up and clean-up of
// unfinished multipart uploads. Runs against s3rver on 127.0.0.1.
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunksOf, randomData } from "../test/blob-fixtures";
import { startS3TestServer, TEST_BUCKET, type S3TestServer } from "../test/s3-test-server";
import { S3BlobStore } from "./s3-store";
import { StorageUnavailableError } from "./storage-errors";

describe("S3BlobStore", () => {
  let server: S3TestServer;
  let store: S3BlobStore;
  beforeAll(async () => {
    server = await startS3TestServer();
    store = new S3BlobStore(server.config());
  });
  afterAll(async () => {
    store.destroy();
    await server.stop();
  });

  it("presigns a GET that a plain fetch downloads under the given file name", async () => {
    const data = randomData(100_000);
    await store.put("exports/ds/for-yolo.zip", data);

    const url = await store.presignGet("exports/ds/for-yolo.zip", {
      expiresInSeconds: 3600,
      fileName: "données for-yolo.zip",
    });

    expect(new URL(url).searchParams.get("X-Amz-Expires")).toBe("3600");
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="donn_es for-yolo.zip"; filename*=UTF-8''donn%C3%A9es%20for-yolo.zip`,
    );
    expect(Buffer.from(await response.arrayBuffer()).equals(data)).toBe(true);
  });

  it("presigns for the public endpoint when clients reach the server under another name", async () => {
    await store.put("exports/ds/public.zip", randomData(10));
    const internal = new URL(server.endpoint);
    // The same server under another host name: the signature must be made for that host.
    const publicEndpoint = `http://localhost:${internal.port}`;
    const other = new S3BlobStore(server.config({ publicEndpoint }));
    try {
      const url = new URL(
        await other.presignGet("exports/ds/public.zip", {
          expiresInSeconds: 60,
          fileName: "p.zip",
        }),
      );
      expect(url.origin).toBe(publicEndpoint);
      expect((await fetch(url)).status).toBe(200);
    } finally {
      other.destroy();
    }
  });

  it("reports a missing bucket clearly, and ensureBucket creates it once", async () => {
    const other = new S3BlobStore(server.config({ bucket: "not-created-yet" }));
    try {
      await expect(other.healthCheck()).rejects.toThrow(
        `storage unavailable: bucket "not-created-yet" does not exist at ${server.endpoint}`,
      );
      await other.ensureBucket();
      await other.ensureBucket();
      await expect(other.healthCheck()).resolves.toBeUndefined();
    } finally {
      other.destroy();
    }
  });

  it("aborts unfinished multipart uploads a crashed writer left, once they are old enough", async () => {
    const { UploadId } = await store.client.send(
      new CreateMultipartUploadCommand({ Bucket: TEST_BUCKET, Key: "exports/crashed.zip" }),
    );
    await store.client.send(
      new UploadPartCommand({
        Bucket: TEST_BUCKET,
        Key: "exports/crashed.zip",
        UploadId,
        PartNumber: 1,
        Body: randomData(1000),
      }),
    );
    const unfinished = async () =>
      (await store.client.send(new ListMultipartUploadsCommand({ Bucket: TEST_BUCKET }))).Uploads ??
      [];
    expect((await unfinished()).map((upload) => upload.UploadId)).toEqual([UploadId]);

    expect(await store.removeStaleTemp(3600_000)).toBe(0);
    expect(await unfinished()).toHaveLength(1);
    expect(await store.removeStaleTemp(0)).toBe(1);
    expect(await unfinished()).toEqual([]);
    expect(await store.stat("exports/crashed.zip")).toBeNull();
  });

  it("turns an unreachable server into a clear, retryable StorageUnavailableError", async () => {
    const doomed = await startS3TestServer();
    const cut = new S3BlobStore(doomed.config());
    await cut.put("a.txt", Buffer.from("a"));
    await doomed.stop();

    try {
      const unreachable = new RegExp(
        `^storage unavailable: cannot reach ${doomed.endpoint} \\(ECONNREFUSED\\) while checking bucket`,
      );
      const health = cut.healthCheck();
      await expect(health).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(health).rejects.toThrow(unreachable);
      await expect(cut.get("a.txt")).rejects.toThrow(
        /^storage unavailable: cannot reach .* while reading a.txt/,
      );
      await expect(cut.stat("a.txt")).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(cut.put("b.txt", chunksOf(randomData(1000)))).rejects.toThrow(
        /^storage unavailable: cannot reach .* while writing b.txt/,
      );
    } finally {
      cut.destroy();
    }
  });
});
