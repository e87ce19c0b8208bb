// The BlobStore contract, run against both drivers: the local directory and S3 (a real
// S3-compatible server, s3rver, started on 127.0.0.1 for this file).
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chunksOf,
  collect,
  createLatch,
  MiB,
  randomData,
  readAll,
  sha256Of,
} from "../test/blob-fixtures";
import { startS3TestServer } from "../test/s3-test-server";
import { type BlobStore } from "./blob-store";
import { LocalBlobStore } from "./local-store";
import { S3BlobStore } from "./s3-store";
import { BlobNotFoundError, InvalidKeyError, InvalidRangeError } from "./storage-errors";

interface DriverHarness {
  driver: "local" | "s3";
  start(): Promise<BlobStore>;
  stop(): Promise<void>;
  /** What a failed write could leave behind: temp files (local), unfinished uploads (s3). */
  leftovers(): Promise<string[]>;
  multipartUploadsStarted(): number;
}

function localHarness(): DriverHarness {
  let dir = "";
  return {
    driver: "local",
    async start() {
      dir = await mkdtemp(join(tmpdir(), "pictograph-local-store-"));
      return new LocalBlobStore({ dir });
    },
    stop: () => rm(dir, { recursive: true, force: true }),
    leftovers: () => readdir(join(dir, ".tmp")).catch(() => []),
    multipartUploadsStarted: () => 0,
  };
}

function s3Harness(): DriverHarness {
  let server: Awaited<ReturnType<typeof startS3TestServer>> | undefined;
  let store: S3BlobStore | undefined;
  return {
    driver: "s3",
    async start() {
      server = await startS3TestServer();
      // Two keys per page, so listing anything real takes several pages.
      store = new S3BlobStore(server.config({ listPageSize: 2 }));
      return store;
    },
    async stop() {
      store?.destroy();
      await server?.stop();
    },
    async leftovers() {
      const client = store!.client;
      const { Uploads = [] } = await client.send(
        new ListMultipartUploadsCommand({ Bucket: store!.bucket }),
      );
      return Uploads.map((upload) => `${upload.Key} (${upload.UploadId})`);
    },
    multipartUploadsStarted: () => server!.multipartUploadsStarted(),
  };
}

describe.each([localHarness(), s3Harness()])("BlobStore with the $driver driver", (harness) => {
  let store: BlobStore;
  beforeAll(async () => {
    store = await harness.start();
  });
  afterAll(() => harness.stop());

  const freshPrefix = () => `t-${randomUUID()}/`;

  it("stores a 12 MiB streamed body and reads back the same bytes, size and SHA-256", async () => {
    const key = `${freshPrefix()}exports/big.zip`;
    const data = randomData(12 * MiB);
    const multipartBefore = harness.multipartUploadsStarted();

    const result = await store.put(key, chunksOf(data), { contentType: "application/zip" });

    expect(result).toEqual({ size: data.length, sha256: sha256Of(data) });
    expect((await store.stat(key))?.size).toBe(data.length);
    const stored = await readAll(await store.get(key));
    expect(stored.equals(data)).toBe(true);
    // With 5 MiB parts a 12 MiB body must have gone through a multipart upload.
    if (harness.driver === "s3")
      expect(harness.multipartUploadsStarted()).toBe(multipartBefore + 1);
  });

  it("accepts bytes and Node streams as bodies, and a second put replaces the first", async () => {
    const key = `${freshPrefix()}image.jpg`;
    const first = randomData(1000);
    const second = randomData(3000);

    expect(await store.put(key, first)).toEqual({ size: 1000, sha256: sha256Of(first) });
    expect(await store.put(key, Readable.from(chunksOf(second, 700)))).toEqual({
      size: 3000,
      sha256: sha256Of(second),
    });
    expect((await readAll(await store.get(key))).equals(second)).toBe(true);
  });

  it("stores an empty body", async () => {
    const key = `${freshPrefix()}empty`;
    expect(await store.put(key, new Uint8Array(0))).toEqual({
      size: 0,
      sha256: sha256Of(Buffer.alloc(0)),
    });
    expect((await store.stat(key))?.size).toBe(0);
    expect((await readAll(await store.get(key))).length).toBe(0);
  });

  it("reads inclusive byte ranges exactly", async () => {
    const key = `${freshPrefix()}ranged.bin`;
    const data = randomData(300_000);
    await store.put(key, data);
    const read = async (range: { start?: number; end?: number }) =>
      readAll(await store.get(key, range));

    // (Not start 0, end 0: s3rver 3.7 serves the whole object for "bytes=0-0"; real S3 does not.)
    expect((await read({ start: 0, end: 1 })).equals(data.subarray(0, 2))).toBe(true);
    expect((await read({ start: 5, end: 5 })).equals(data.subarray(5, 6))).toBe(true);
    expect((await read({ start: 1000, end: 1999 })).equals(data.subarray(1000, 2000))).toBe(true);
    expect((await read({ start: 299_990 })).equals(data.subarray(299_990))).toBe(true);
    expect((await read({ end: 99 })).equals(data.subarray(0, 100))).toBe(true);
    // An end past the last byte is clamped, as HTTP servers do.
    expect((await read({ start: 299_995, end: 400_000 })).equals(data.subarray(299_995))).toBe(
      true,
    );

    await expect(store.get(key, { start: 300_000 })).rejects.toBeInstanceOf(InvalidRangeError);
    await expect(store.get(key, { start: 10, end: 5 })).rejects.toBeInstanceOf(InvalidRangeError);
    await expect(store.get(key, { start: -1 })).rejects.toBeInstanceOf(InvalidRangeError);
  });

  it("leaves nothing behind when the body fails midway", async () => {
    const prefix = freshPrefix();
    const data = randomData(11 * MiB);
    const multipartBefore = harness.multipartUploadsStarted();
    async function* failingBody() {
      yield* chunksOf(data, MiB);
      await sleep(100); // let the first parts reach storage
      throw new Error("client disconnected");
    }

    await expect(store.put(`${prefix}upload.jpg`, failingBody())).rejects.toThrow(
      "client disconnected",
    );

    expect(await store.stat(`${prefix}upload.jpg`)).toBeNull();
    expect(await collect(store.list(prefix))).toEqual([]);
    expect(await harness.leftovers()).toEqual([]);
    if (harness.driver === "s3")
      expect(harness.multipartUploadsStarted()).toBe(multipartBefore + 1);
  });

  it("stops promptly and leaves nothing behind when the signal aborts mid-upload", async () => {
    const prefix = freshPrefix();
    const data = randomData(7 * MiB);
    const controller = new AbortController();
    async function* stallingBody() {
      yield* chunksOf(data, MiB);
      controller.abort();
      await new Promise(() => {}); // the client goes silent; only the signal can end this
    }

    await expect(
      store.put(`${prefix}upload.jpg`, stallingBody(), { signal: controller.signal }),
    ).rejects.toMatchObject({ name: "AbortError" });

    expect(await store.stat(`${prefix}upload.jpg`)).toBeNull();
    expect(await collect(store.list(prefix))).toEqual([]);
    expect(await harness.leftovers()).toEqual([]);
  });

  it("refuses to start when the signal is already aborted", async () => {
    const key = `${freshPrefix()}never`;
    const body = Readable.from(chunksOf(randomData(1000)));
    await expect(store.put(key, body, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(await store.stat(key)).toBeNull();
    expect(body.destroyed).toBe(true);
  });

  it("keeps an object invisible until its whole body is stored", async () => {
    const key = `${freshPrefix()}exports/building.zip`;
    const data = randomData(7 * MiB);
    const reachedPause = createLatch();
    const resume = createLatch();
    async function* pausingBody() {
      yield data.subarray(0, 6 * MiB);
      reachedPause.open();
      await resume.promise;
      yield data.subarray(6 * MiB);
    }

    const putting = store.put(key, pausingBody());
    await reachedPause.promise;
    await sleep(200); // the first 6 MiB are written (local) or uploaded as a part (s3)

    expect(await store.stat(key)).toBeNull();
    await expect(store.get(key)).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await collect(store.list(key))).toEqual([]);

    resume.open();
    await putting;
    expect((await readAll(await store.get(key))).equals(data)).toBe(true);
  });

  it("serves the previous bytes while an overwrite is in flight", async () => {
    const key = `${freshPrefix()}exports/rebuilt.zip`;
    const before = randomData(1000);
    const after = randomData(6 * MiB);
    await store.put(key, before);
    const reachedPause = createLatch();
    const resume = createLatch();
    async function* pausingBody() {
      yield after.subarray(0, 5 * MiB + 1);
      reachedPause.open();
      await resume.promise;
      yield after.subarray(5 * MiB + 1);
    }

    const putting = store.put(key, pausingBody());
    await reachedPause.promise;
    await sleep(200);
    expect((await readAll(await store.get(key))).equals(before)).toBe(true);
    expect((await store.stat(key))?.size).toBe(1000);

    resume.open();
    await putting;
    expect((await readAll(await store.get(key))).equals(after)).toBe(true);
  });

  it("deletes idempotently", async () => {
    const key = `${freshPrefix()}gone.txt`;
    await store.delete(key); // never existed
    await store.put(key, Buffer.from("bye"));
    await store.delete(key);
    await store.delete(key);

    expect(await store.stat(key)).toBeNull();
    await expect(store.get(key)).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it("throws BlobNotFoundError naming the key for a missing object", async () => {
    const key = `${freshPrefix()}missing.zip`;
    await expect(store.get(key)).rejects.toMatchObject({ name: "BlobNotFoundError", key });
    expect(await store.stat(key)).toBeNull();
  });

  it("lists every object under a prefix, across pages, and nothing else", async () => {
    const prefix = freshPrefix();
    const sizes: Record<string, number> = {
      "a/1": 1,
      "a/2": 2,
      "a/sub/3": 3,
      ab: 4,
      "b/5": 5,
    };
    for (const [name, size] of Object.entries(sizes)) {
      await store.put(`${prefix}${name}`, randomData(size));
    }
    const listed = async (p: string) =>
      (await collect(store.list(p)))
        .map(({ key, size, modifiedAt }) => {
          expect(modifiedAt).toBeInstanceOf(Date);
          return `${key.slice(prefix.length)}=${size}`;
        })
        .sort();

    expect(await listed(prefix)).toEqual(["a/1=1", "a/2=2", "a/sub/3=3", "ab=4", "b/5=5"]);
    expect(await listed(`${prefix}a/`)).toEqual(["a/1=1", "a/2=2", "a/sub/3=3"]);
    expect(await listed(`${prefix}a`)).toEqual(["a/1=1", "a/2=2", "a/sub/3=3", "ab=4"]);
    expect(await listed(`${prefix}c`)).toEqual([]);
  });

  it("refuses keys that are not safe relative paths, on every operation", async () => {
    const badKeys = [
      "",
      "/etc/passwd",
      "a/../../b",
      "..",
      "a//b",
      "a\\b",
      "a/",
      "./a",
      "a/./b",
      ".tmp/x",
      "nul\u0000byte",
    ];
    for (const key of badKeys) {
      const body = Readable.from(chunksOf(randomData(10)));
      await expect(store.put(key, body), key).rejects.toBeInstanceOf(InvalidKeyError);
      expect(body.destroyed, key).toBe(true);
      await expect(store.get(key), key).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.stat(key), key).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.delete(key), key).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(
        store.presignGet(key, { expiresInSeconds: 60, fileName: "x" }),
        key,
      ).rejects.toBeInstanceOf(InvalidKeyError);
    }
    for (const prefix of ["/", "../", "a/../", "a\\"]) {
      await expect(collect(store.list(prefix)), prefix).rejects.toBeInstanceOf(InvalidKeyError);
    }
  });

  it("passes its health check while storage is up", async () => {
    await expect(store.healthCheck()).resolves.toBeUndefined();
  });
});
