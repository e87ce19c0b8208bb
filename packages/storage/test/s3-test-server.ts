// A real S3-compatible server (s3rver 3.7) on 127.0.0.1 with a random port and a temp
// directory, for the s3 driver tests. Three S3 operations the driver relies on are missing or
// broken in s3rver and are served here instead, on top of s3rver's own storage and following
// the S3 API reference:
// - AbortMultipartUpload and ListMultipartUploads are not implemented by s3rver;
// - ListObjectsV2 pagination fails on Node ≥ 17, because s3rver encrypts continuation
//   tokens with DES, which OpenSSL 3 no longer offers.
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver, { type S3rverContext } from "s3rver";
import { type S3StorageConfig } from "../src/storage-config";

export const TEST_BUCKET = "pictograph-test";

export interface S3TestServer {
  endpoint: string;
  /** A config for TEST_BUCKET on this server (s3rver's fixed credentials, 5 MiB parts). */
  config(overrides?: Partial<S3StorageConfig>): S3StorageConfig;
  /** How many multipart uploads were initiated so far. */
  multipartUploadsStarted(): number;
  /**
   * Stops answering, like a server going down: the listener closes and open connections are
   * cut. The returned function starts it again on the same port with the same data.
   */
  interrupt(): Promise<() => Promise<void>>;
  stop(): Promise<void>;
}

// s3rver's middleware order is [logger, XML encoder, mount, vhost, router]; ours goes right
// after the XML encoder so plain-object bodies are serialized like s3rver's own.
const AFTER_XML_ENCODER = 2;

export async function startS3TestServer(): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), "pictograph-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: TEST_BUCKET }],
  });
  let started = 0;

  server.middleware.splice(AFTER_XML_ENCODER, 0, async (ctx, next) => {
    const [, bucket = "", ...keyParts] = ctx.path.split("/");
    const hasKey = keyParts.join("/") !== "";
    const uploadId = typeof ctx.query.uploadId === "string" ? ctx.query.uploadId : undefined;
    if (ctx.method === "POST" && hasKey && "uploads" in ctx.query) started += 1;

    if (ctx.method === "DELETE" && hasKey && uploadId !== undefined) {
      await abortMultipartUpload(server, ctx, bucket, uploadId);
    } else if (ctx.method === "GET" && !hasKey && "uploads" in ctx.query) {
      await listMultipartUploads(server, ctx, bucket);
    } else if (ctx.method === "GET" && !hasKey && ctx.query["list-type"] === "2") {
      await listObjectsV2(server, ctx, bucket);
    } else {
      await next();
    }
  });

  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  let stopped = false;
  return {
    endpoint,
    config: (overrides = {}) => ({
      driver: "s3",
      endpoint,
      bucket: TEST_BUCKET,
      region: "us-east-1",
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      partSizeBytes: 5 * 1024 * 1024,
      ...overrides,
    }),
    multipartUploadsStarted: () => started,
    interrupt: async () => {
      // s3rver keeps its http.Server and listen options on the instance (not in its types).
      const internals = server as unknown as {
        httpServer: Server;
        serverOptions: { port: number };
      };
      // Not server.close(): its "close" listener would also shut s3rver's logger for good.
      internals.httpServer.removeAllListeners("close");
      const closed = new Promise((resolve) => internals.httpServer.close(resolve));
      internals.httpServer.closeAllConnections();
      await closed;
      return async () => {
        internals.serverOptions.port = port;
        await server.run();
      };
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function uploadsDirectory(server: S3rver, bucket: string): string {
  return server.store.getResourcePath(bucket, undefined, "uploads");
}

function replyError(ctx: S3rverContext, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.body = { Error: { Code: code, Message: message } };
}

async function abortMultipartUpload(
  server: S3rver,
  ctx: S3rverContext,
  bucket: string,
  uploadId: string,
): Promise<void> {
  const dir = join(uploadsDirectory(server, bucket), uploadId);
  if (!/^[0-9a-f]+$/.test(uploadId) || !(await stat(dir).catch(() => null))) {
    replyError(ctx, 404, "NoSuchUpload", "The specified upload does not exist.");
    return;
  }
  await rm(dir, { recursive: true, force: true });
  ctx.status = 204;
}

/** One page only: tests never leave more than a handful of uploads. */
async function listMultipartUploads(server: S3rver, ctx: S3rverContext, bucket: string) {
  const root = uploadsDirectory(server, bucket);
  const ids = await readdir(root).catch(() => [] as string[]);
  const uploads = await Promise.all(
    ids.map(async (id) => {
      const keyFile = join(root, id, "key");
      const [key, info] = await Promise.all([readFile(keyFile, "utf8"), stat(keyFile)]);
      return { Key: key, UploadId: id, Initiated: info.mtime.toISOString() };
    }),
  );
  ctx.status = 200;
  ctx.body = {
    ListMultipartUploadsResult: {
      "@": { xmlns: "http://s3.amazonaws.com/doc/2006-03-01/" },
      Bucket: bucket,
      MaxUploads: 1000,
      IsTruncated: false,
      Upload: uploads,
    },
  };
}

async function listObjectsV2(server: S3rver, ctx: S3rverContext, bucket: string) {
  if (!(await server.store.getBucket(bucket))) {
    replyError(ctx, 404, "NoSuchBucket", "The specified bucket does not exist");
    return;
  }
  const text = (name: string) => {
    const value = ctx.query[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const token = text("continuation-token");
  const prefix = text("prefix") ?? "";
  const maxKeys = Math.min(1000, Number(text("max-keys") ?? 1000));
  // Our tokens are simply the last key returned, base64-encoded.
  const startAfter = token ? Buffer.from(token, "base64").toString("utf8") : text("start-after");
  const result = await server.store.listObjects(bucket, { prefix, startAfter, maxKeys });
  const last = result.objects.at(-1);
  ctx.status = 200;
  ctx.body = {
    ListBucketResult: {
      "@": { xmlns: "http://s3.amazonaws.com/doc/2006-03-01/" },
      Name: bucket,
      Prefix: prefix,
      MaxKeys: maxKeys,
      KeyCount: result.objects.length,
      IsTruncated: result.isTruncated,
      ...(token && { ContinuationToken: token }),
      ...(result.isTruncated &&
        last && { NextContinuationToken: Buffer.from(last.key).toString("base64") }),
      Contents: result.objects.map((object) => ({
        Key: object.key,
        LastModified: object.lastModifiedDate.toISOString(),
        ETag: object.metadata.etag,
        Size: object.size,
        StorageClass: "STANDARD",
      })),
    },
  };
}
