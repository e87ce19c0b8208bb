// What only the local driver does: temp files, disk errors in words, reading while deleting.
import {
  mkdtemp,
  open,
  readdir,
  rm,
  stat,
  utimes,
  writeFile,
  type FileHandle,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chunksOf, collect, createLatch, MiB, randomData, readAll } from "../test/blob-fixtures";
import { LocalBlobStore } from "./local-store";
import { BlobNotFoundError, StorageUnavailableError } from "./storage-errors";

describe("LocalBlobStore", () => {
  let dir: string;
  let store: LocalBlobStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pictograph-local-"));
    store = new LocalBlobStore({ dir });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("stores each key as a file under the root", async () => {
    await store.put("images/ds/abc.jpg", Buffer.from("jpeg"));
    expect((await stat(join(dir, "images/ds/abc.jpg"))).size).toBe(4);
  });

  it("writes into a temp file and renames it into place only when complete", async () => {
    const reachedPause = createLatch();
    const resume = createLatch();
    async function* pausingBody() {
      yield Buffer.from("first half ");
      reachedPause.open();
      await resume.promise;
      yield Buffer.from("second half");
    }

    const putting = store.put("exports/a.zip", pausingBody());
    await reachedPause.promise;
    await sleep(20);
    expect(await readdir(join(dir, ".tmp"))).toHaveLength(1);
    await expect(stat(join(dir, "exports/a.zip"))).rejects.toMatchObject({ code: "ENOENT" });

    resume.open();
    await putting;
    expect(await readdir(join(dir, ".tmp"))).toEqual([]);
    expect((await readAll(await store.get("exports/a.zip"))).toString()).toBe(
      "first half second half",
    );
  });

  it("turns a full disk into a storage-unavailable error a person understands", async () => {
    // /dev/full fails every write with ENOSPC, exactly like a full file system.
    const full = new LocalBlobStore({ dir, openTempFile: () => open("/dev/full", "w") });

    // Several batches, so the failure comes while the next one is being gathered.
    const failure = full.put("exports/x.zip", chunksOf(randomData(3 * MiB)));

    await expect(failure).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(failure).rejects.toThrow(
      `storage unavailable: disk is full (ENOSPC) while writing exports/x.zip in ${dir}`,
    );
    expect(await full.stat("exports/x.zip")).toBeNull();
    expect(await collect(full.list(""))).toEqual([]);
  });

  it("writes every byte in order when the file system takes only part of each batch", async () => {
    // A file handle whose writev takes at most 1000 bytes per call, as a short write would.
    const shortWrites = storeWithHandle(dir, (handle) => ({
      writev: (buffers: Uint8Array[]) => handle.writev([Buffer.concat(buffers).subarray(0, 1000)]),
    }));
    const data = randomData(3 * MiB + 5);
    const stored = await shortWrites.put("short/writes.bin", chunksOf(data, 77_777));
    expect(stored.size).toBe(data.length);
    expect((await readAll(await shortWrites.get("short/writes.bin"))).equals(data)).toBe(true);
  });

  it("gathers the next batch while the disk writes the last, one write at a time", async () => {
    const release = createLatch();
    let writing = 0;
    let mostWriting = 0;
    let pulledDuringFirstWrite = 0;
    let pulled = 0;
    let writes = 0;
    const gated = storeWithHandle(dir, (handle) => ({
      writev: async (buffers: Uint8Array[]) => {
        mostWriting = Math.max(mostWriting, ++writing);
        const pulledBefore = pulled;
        // The first write waits until the body has been read well past its batch.
        if (writes++ === 0) {
          await release.promise;
          pulledDuringFirstWrite = pulled - pulledBefore;
        }
        try {
          return await handle.writev(buffers);
        } finally {
          writing--;
        }
      },
    }));
    const data = randomData(4 * MiB);
    async function* body() {
      for await (const chunk of chunksOf(data, 64 * 1024)) {
        pulled += chunk.byteLength;
        if (pulled >= 2 * MiB) release.open();
        yield chunk;
      }
    }
    const stored = await gated.put("overlap/body.bin", body());
    expect(pulledDuringFirstWrite).toBeGreaterThanOrEqual(MiB - 64 * 1024);
    expect(mostWriting).toBe(1);
    expect(stored.size).toBe(data.length);
    expect((await readAll(await gated.get("overlap/body.bin"))).equals(data)).toBe(true);
  });

  it("fails its health check, in words, when the root cannot be created", async () => {
    await writeFile(join(dir, "a-file"), "not a directory");
    const broken = new LocalBlobStore({ dir: join(dir, "a-file", "blobs") });

    await expect(broken.healthCheck()).rejects.toThrow(
      `storage unavailable: cannot write to ${join(dir, "a-file", "blobs")}: ENOTDIR`,
    );
  });

  it("never lists temp files, and removes stale ones a crashed write left", async () => {
    await store.put("kept.txt", Buffer.from("kept"));
    await writeFile(join(dir, ".tmp", "crashed-write"), "partial");
    await writeFile(join(dir, ".tmp", "in-flight-write"), "partial");
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(join(dir, ".tmp", "crashed-write"), twoHoursAgo, twoHoursAgo);

    expect((await collect(store.list(""))).map((item) => item.key)).toEqual(["kept.txt"]);
    expect(await store.removeStaleTemp(3600_000)).toBe(1);
    expect(await readdir(join(dir, ".tmp"))).toEqual(["in-flight-write"]);
    expect(await store.removeStaleTemp(0)).toBe(1);
    expect(await readdir(join(dir, ".tmp"))).toEqual([]);
  });

  it("deletes a key while a download of it is still streaming", async () => {
    const data = randomData(2 * MiB);
    await store.put("exports/big.zip", data);
    const download = await store.get("exports/big.zip");
    const reader = download[Symbol.asyncIterator]();
    const first = (await reader.next()).value as Buffer;

    await store.delete("exports/big.zip");
    expect(await store.stat("exports/big.zip")).toBeNull();
    await expect(store.get("exports/big.zip")).rejects.toBeInstanceOf(BlobNotFoundError);

    // The open stream still holds the file; the web route decides to cut it off.
    const rest: Buffer[] = [];
    for (let next = await reader.next(); !next.done; next = await reader.next()) {
      rest.push(next.value as Buffer);
    }
    expect(Buffer.concat([first, ...rest]).equals(data)).toBe(true);
  });

  it("closes the file once a read ends, is abandoned or is refused", async () => {
    await store.put("reads/a.bin", randomData(3 * MiB));
    // Small enough to be read whole as it is opened.
    await store.put("reads/small.bin", randomData(1000));
    const openFiles = async () => (await readdir("/proc/self/fd")).length;
    const before = await openFiles();

    await readAll(await store.get("reads/a.bin"));
    expect((await readAll(await store.get("reads/small.bin", { start: 10 }))).byteLength).toBe(990);
    await expect(store.get("reads/small.bin", { start: 1000 })).rejects.toThrow(/past the end/);
    const abandoned = await store.get("reads/a.bin");
    await new Promise((resolve) => abandoned.once("data", resolve));
    abandoned.destroy();
    await new Promise((resolve) => abandoned.once("close", resolve));
    await expect(store.get("reads/a.bin", { start: 5 * MiB })).rejects.toThrow(/past the end/);

    // Closing happens on libuv's thread pool: give it a moment.
    for (let i = 0; i < 50 && (await openFiles()) > before; i++) await sleep(10);
    expect(await openFiles()).toBe(before);
  });

  it("reads into a buffer again only once its put has written it", async () => {
    // Files read whole and files streamed in chunks, copied into one put as an export with
    // images does, the next file opened before the last is passed on; every write waits, so
    // reads run ahead of the disk.
    const files = [
      ...Array.from({ length: 80 }, () => randomData(150_000)),
      randomData(Math.floor(2.5 * MiB)),
      ...Array.from({ length: 10 }, () => randomData(70_000)),
    ];
    for (const [i, data] of files.entries()) await store.put(`images/${i}.jpg`, data);
    const slow = storeWithHandle(dir, (handle) => ({
      writev: async (buffers: Uint8Array[]) => {
        await sleep(5);
        return handle.writev(buffers);
      },
    }));
    const lent = new Set<ArrayBufferLike>();
    let chunks = 0;
    async function* copies() {
      let next = slow.get("images/0.jpg");
      for (let i = 0; i < files.length; i++) {
        const reading = await next;
        if (i + 1 < files.length) next = slow.get(`images/${i + 1}.jpg`);
        for await (const chunk of reading as AsyncIterable<Buffer>) {
          lent.add(chunk.buffer);
          chunks++;
          yield chunk;
        }
      }
    }
    await slow.put("exports/copy.bin", copies());
    const copy = await readAll(await slow.get("exports/copy.bin"));
    expect(copy.equals(Buffer.concat(files))).toBe(true);
    // Buffers were read into again: otherwise this proves nothing.
    expect(lent.size).toBeLessThan(chunks / 2);
  });

  it("has no presigned URLs: the web app serves local files itself", async () => {
    await store.put("a.zip", Buffer.from("zip"));
    expect(await store.presignGet("a.zip", { expiresInSeconds: 60, fileName: "a.zip" })).toBeNull();
  });

  it("flushes a long put to the disk while it is still writing, not only at the end", async () => {
    const flushedAt: number[] = [];
    let written = 0;
    // Writes wait for a flush in progress, as a disk would be busy with it: the put skips a
    // flush while the last one runs, so on a loaded machine a slow flush could otherwise let
    // the whole file go by (CI once saw one flush, not two).
    let flushing: Promise<void> = Promise.resolve();
    const counting = storeWithHandle(dir, (handle) => ({
      writev: async (buffers: Uint8Array[]) => {
        await flushing;
        const result = await handle.writev(buffers);
        written += result.bytesWritten;
        return result;
      },
      datasync: () => {
        flushedAt.push(written);
        return (flushing = handle.datasync());
      },
    }));
    const data = randomData(80 * MiB);
    await counting.put("big/file.bin", chunksOf(data, MiB));
    // Every 32 MiB, each while more was still to be written.
    expect(flushedAt.length).toBeGreaterThanOrEqual(2);
    expect(flushedAt.every((at) => at > 0 && at < data.length)).toBe(true);
  });

  it("writes a stream's chunks as the stream made them, never joined into a copy", async () => {
    const written: Uint8Array[] = [];
    const recording = storeWithHandle(dir, (handle) => ({
      writev: (buffers: Uint8Array[]) => {
        written.push(...buffers);
        return handle.writev(buffers);
      },
    }));
    // All buffered before the put reads any: Readable's own iterator would hand them over
    // as one new buffer.
    const pushed = Array.from({ length: 40 }, () => randomData(100_000));
    const body = new Readable({ read() {} });
    for (const chunk of pushed) body.push(chunk);
    body.push(null);
    const stored = await recording.put("stream/chunks.bin", body);
    expect(stored.size).toBe(40 * 100_000);
    expect(written).toHaveLength(pushed.length);
    expect(written.every((chunk, i) => chunk === pushed[i])).toBe(true);
  });

  it("fails the put when a flush fails, though the final fsync succeeds", async () => {
    // Linux reports a write-back error to one fsync: the one that sees it must fail the put.
    const failing = storeWithHandle(dir, () => ({
      datasync: () => Promise.reject(Object.assign(new Error("EIO: i/o error"), { code: "EIO" })),
    }));
    const failure = failing.put("exports/y.zip", chunksOf(randomData(40 * MiB), MiB));
    await expect(failure).rejects.toThrow(
      `storage unavailable: disk I/O error (EIO) while writing exports/y.zip in ${dir}`,
    );
    expect(await failing.stat("exports/y.zip")).toBeNull();
    expect(await readdir(join(dir, ".tmp"))).toEqual([]);
  });
});

/** A store whose temp files are real files with some of their handle's methods replaced. */
function storeWithHandle(
  dir: string,
  replace: (handle: FileHandle) => {
    writev?: (buffers: Uint8Array[]) => Promise<{ bytesWritten: number }>;
    datasync?: () => Promise<void>;
  },
): LocalBlobStore {
  return new LocalBlobStore({
    dir,
    openTempFile: async (path) => {
      const handle = await open(path, "wx");
      const replaced: Record<string | symbol, unknown> = { ...replace(handle) };
      return new Proxy(handle, {
        get: (target, name, receiver) => replaced[name] ?? Reflect.get(target, name, receiver),
      });
    },
  });
}
