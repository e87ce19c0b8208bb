// Local-directory driver: one file per key under a root directory. A put writes to
// `<root>/.tmp/<random>`, fsyncs and renames into place, so readers never see a partial file.
// It must never touch a path outside the root.
import { randomUUID } from "node:crypto";
import {
  mkdir,
  open,
  opendir,
  readdir,
  rename,
  rm,
  stat,
  unlink,
  type FileHandle,
} from "node:fs/promises";
import { close as fsClose, fstat, open as fsOpen, read as fsRead } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { assertValidKey, assertValidPrefix, RESERVED_TEMP_SEGMENT } from "./blob-key";
import { readBlobBody, type BodyReader } from "./blob-body";
import { ReadBuffers } from "./read-buffers";
import {
  type BlobBody,
  type BlobListing,
  type BlobStat,
  type BlobStore,
  type ByteRange,
  type PresignGetOptions,
  type PutOptions,
  type PutResult,
} from "./blob-store";
import { checkByteRange } from "./byte-range";
import {
  BlobNotFoundError,
  InvalidKeyError,
  InvalidRangeError,
  StorageUnavailableError,
} from "./storage-errors";

/** Reads of a stream; a file (or range) no longer than this is read whole as it is opened. */
const READ_CHUNK_BYTES = 1024 * 1024;
/** Files (or ranges) of at least this size are read into buffers put() gives back (ReadBuffers);
 * smaller ones are copied on by the ZIP writer, so their buffers would not come back. */
const POOLED_READ_BYTES = 64 * 1024;
/** Idle read buffers kept for reuse, in bytes. */
const READ_BUFFERS_KEPT_BYTES = 16 * 1024 * 1024;
/** Bytes gathered before one write (writev) to the temporary file. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** Bytes written between flushes to the disk while a put is still writing: the kernel would
 * otherwise hold a whole export in its page cache and write it out only at the final fsync,
 * which a 400 MB ZIP then waits ≈0.3 s for after its last byte. */
const FLUSH_EVERY_BYTES = 32 * 1024 * 1024;

export interface LocalBlobStoreOptions {
  dir: string;
  /** Opens the temp file a put writes into. Tests pass a full device here to provoke ENOSPC. */
  openTempFile?: (path: string) => Promise<FileHandle>;
}

// Errno codes that mean "the disk, not the caller, is the problem", with words for a human.
const DISK_FAILURES: Record<string, string> = {
  ENOSPC: "disk is full (ENOSPC)",
  EDQUOT: "disk quota exceeded (EDQUOT)",
  EACCES: "permission denied (EACCES)",
  EPERM: "operation not permitted (EPERM)",
  EROFS: "file system is read-only (EROFS)",
  EIO: "disk I/O error (EIO)",
  EMFILE: "too many open files (EMFILE)",
  ENFILE: "too many open files (ENFILE)",
};

const MISSING = new Set(["ENOENT", "ENOTDIR"]);

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

export class LocalBlobStore implements BlobStore {
  readonly driver = "local";
  readonly root: string;
  readonly #tempDir: string;
  readonly #openTempFile: (path: string) => Promise<FileHandle>;
  readonly #readBuffers = new ReadBuffers(READ_BUFFERS_KEPT_BYTES);

  constructor(options: LocalBlobStoreOptions) {
    this.root = resolve(options.dir);
    this.#tempDir = join(this.root, RESERVED_TEMP_SEGMENT);
    this.#openTempFile = options.openTempFile ?? ((path) => open(path, "wx"));
  }

  async put(key: string, body: BlobBody, opts: PutOptions = {}): Promise<PutResult> {
    const reader = readBlobBody(body, opts.signal);
    try {
      return await this.#write(key, reader);
    } catch (error) {
      reader.discard();
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.#pathOf(key);
    const checked = checkByteRange(key, range);
    // Plain fs calls on descriptors, not FileHandles, and a small file read whole: each call
    // is a round trip to libuv's thread pool (≈50 µs on a busy 2-core VM), and an export
    // with images makes one set per image file. Never blocking calls: a hung disk must stall
    // one read, not the process.
    let fd: number;
    try {
      fd = await openFile(path, "r");
    } catch (error) {
      if (MISSING.has(errorCode(error) ?? "")) throw new BlobNotFoundError(key);
      throw this.#mapDiskError(error, `reading ${key} in ${this.root}`);
    }
    try {
      const info = await fstatFile(fd);
      if (!info.isFile()) throw new BlobNotFoundError(key);
      if (checked && checked.start >= info.size) {
        throw new InvalidRangeError(
          key,
          `start ${checked.start} is past the end (size ${info.size})`,
        );
      }
      const start = checked?.start ?? 0;
      const end = Math.min(checked?.end ?? Infinity, info.size - 1);
      if (end - start < READ_CHUNK_BYTES) {
        const bytes = await readRange(fd, start, this.#readBuffer(end - start + 1));
        closeFile(fd);
        return Readable.from([bytes], { objectMode: false });
      }
      // The open file keeps the bytes readable even if the key is deleted meanwhile. Reads
      // of 1 MiB, not Node's 64 KiB: an export with images reads hundreds of MB through here,
      // and every chunk costs a trip through the ZIP writer.
      return Readable.from(this.#readChunks(fd, start, end), { objectMode: false });
    } catch (error) {
      closeFile(fd);
      throw error instanceof BlobNotFoundError || error instanceof InvalidRangeError
        ? error
        : this.#mapDiskError(error, `reading ${key} in ${this.root}`);
    }
  }

  /** Bytes start..end (inclusive) of an open file, a read chunk at a time; closes the file
   * once they are read or the stream is abandoned. */
  async *#readChunks(fd: number, start: number, end: number): AsyncGenerator<Buffer> {
    try {
      for (let at = start; at <= end;) {
        const bytes = await readRange(
          fd,
          at,
          this.#readBuffer(Math.min(READ_CHUNK_BYTES, end - at + 1)),
        );
        if (bytes.byteLength === 0) return; // cut short meanwhile
        at += bytes.byteLength;
        yield bytes;
      }
    } finally {
      closeFile(fd);
    }
  }

  /** A buffer to read `size` bytes into: one put() gives back once written, when large
   * enough for the ZIP writer to pass it on rather than copy it. */
  #readBuffer(size: number): Buffer {
    return size >= POOLED_READ_BYTES ? this.#readBuffers.take(size) : Buffer.allocUnsafeSlow(size);
  }

  async stat(key: string): Promise<BlobStat | null> {
    const path = this.#pathOf(key);
    try {
      const info = await stat(path);
      return info.isFile() ? { size: info.size, modifiedAt: info.mtime } : null;
    } catch (error) {
      if (MISSING.has(errorCode(error) ?? "")) return null;
      throw this.#mapDiskError(error, `reading ${key} in ${this.root}`);
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.#pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      // A directory at that path is a key prefix, not an object: nothing to delete.
      if (MISSING.has(errorCode(error) ?? "") || errorCode(error) === "EISDIR") return;
      throw this.#mapDiskError(error, `deleting ${key} in ${this.root}`);
    }
  }

  async *list(prefix: string): AsyncIterable<BlobListing> {
    assertValidPrefix(prefix);
    const slash = prefix.lastIndexOf("/");
    yield* this.#walk(slash === -1 ? "" : prefix.slice(0, slash), prefix);
  }

  async presignGet(key: string, _opts?: PresignGetOptions): Promise<null> {
    assertValidKey(key);
    return null;
  }

  async healthCheck(): Promise<void> {
    try {
      await mkdir(this.#tempDir, { recursive: true });
      const probe = join(this.#tempDir, `health-${randomUUID()}`);
      const handle = await open(probe, "wx");
      await handle.close();
      await unlink(probe);
    } catch (error) {
      // Any failure here means puts would fail too, whatever the errno.
      const reason = DISK_FAILURES[errorCode(error) ?? ""] ?? errorCode(error) ?? String(error);
      throw new StorageUnavailableError(`cannot write to ${this.root}: ${reason}`, {
        cause: error,
      });
    }
  }

  async removeStaleTemp(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let names: string[];
    try {
      names = await readdir(this.#tempDir);
    } catch (error) {
      if (MISSING.has(errorCode(error) ?? "")) return 0;
      throw this.#mapDiskError(error, `cleaning ${this.#tempDir}`);
    }
    let removed = 0;
    for (const name of names) {
      const path = join(this.#tempDir, name);
      const info = await stat(path).catch(() => null);
      if (info && info.mtimeMs <= cutoff) {
        await rm(path, { force: true, recursive: true });
        removed += 1;
      }
    }
    return removed;
  }

  async #write(key: string, reader: BodyReader): Promise<PutResult> {
    const target = this.#pathOf(key);
    const doing = `writing ${key} in ${this.root}`;
    await this.#disk(doing, () => mkdir(this.#tempDir, { recursive: true }));
    const tempPath = join(this.#tempDir, randomUUID());
    const handle = await this.#disk(doing, () => this.#openTempFile(tempPath));
    let open = true;
    // One batch is written while the next is gathered: reading and hashing the body overlap
    // the disk. Never more than one write in flight, so a failed one stops the put at once.
    let writing: Promise<void> | null = null;
    // One datasync at a time runs beside the writes. Each is awaited before the next and at
    // the end: a failed flush must fail the put, as a later fsync may not report it again.
    let flushing: Promise<void> | null = null;
    let flushed = true;
    let unflushed = 0;
    try {
      // Body errors and aborts come out of `chunks` untouched; only disk errors are mapped.
      for await (const batch of batches(reader.chunks)) {
        await writing;
        if (unflushed >= FLUSH_EVERY_BYTES && flushed) {
          await flushing;
          unflushed = 0;
          flushed = false;
          flushing = this.#disk(doing, () => handle.datasync()).finally(() => (flushed = true));
          flushing.catch(() => undefined); // awaited at the next flush or below
        }
        writing = this.#disk(doing, async () => {
          await writeFully(handle, batch);
          for (const chunk of batch) this.#readBuffers.giveBack(chunk);
        });
        writing.catch(() => undefined); // awaited at the next batch or below
        for (const chunk of batch) unflushed += chunk.byteLength;
      }
      await writing;
      await flushing;
      await this.#disk(doing, () => handle.sync());
      open = false;
      await this.#disk(doing, () => handle.close());
      await this.#disk(doing, () => mkdir(dirname(target), { recursive: true }));
      await this.#disk(doing, () => rename(tempPath, target));
      await syncDirectory(dirname(target));
      return reader.measured();
    } catch (error) {
      await writing?.catch(() => undefined);
      await flushing?.catch(() => undefined);
      if (open) await handle.close().catch(() => undefined);
      await rm(tempPath, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  /** The file for `key`; validation makes escaping the root impossible, the check proves it. */
  #pathOf(key: string): string {
    assertValidKey(key);
    const path = resolve(this.root, key);
    const inside = relative(this.root, path);
    if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) {
      throw new InvalidKeyError(key, `resolves outside the storage root ${this.root}`);
    }
    return path;
  }

  async *#walk(dirKey: string, prefix: string): AsyncGenerator<BlobListing> {
    let dir;
    try {
      dir = await opendir(dirKey === "" ? this.root : join(this.root, dirKey));
    } catch (error) {
      if (MISSING.has(errorCode(error) ?? "")) return;
      throw this.#mapDiskError(error, `listing ${prefix || "(all keys)"} in ${this.root}`);
    }
    for await (const entry of dir) {
      if (dirKey === "" && entry.name === RESERVED_TEMP_SEGMENT) continue;
      const key = dirKey === "" ? entry.name : `${dirKey}/${entry.name}`;
      if (entry.isDirectory()) {
        if (`${key}/`.startsWith(prefix)) yield* this.#walk(key, prefix);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        // Deleted between readdir and stat: it is simply no longer listed.
        const info = await stat(join(this.root, key)).catch(() => null);
        if (info) yield { key, size: info.size, modifiedAt: info.mtime };
      }
    }
  }

  async #disk<T>(doing: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.#mapDiskError(error, doing);
    }
  }

  #mapDiskError(error: unknown, doing: string): unknown {
    const failure = DISK_FAILURES[errorCode(error) ?? ""];
    return failure
      ? new StorageUnavailableError(`${failure} while ${doing}`, { cause: error })
      : error;
  }
}

export function createLocalBlobStore(options: LocalBlobStoreOptions): LocalBlobStore {
  return new LocalBlobStore(options);
}

/** Chunks gathered into batches of about WRITE_BATCH_BYTES: an export with images arrives as
 * thousands of chunks (a header, then a file), and each write is a trip to the thread pool. */
async function* batches(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array[]> {
  let batch: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of chunks) {
    batch.push(chunk);
    bytes += chunk.byteLength;
    if (bytes >= WRITE_BATCH_BYTES) {
      yield batch;
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

async function writeFully(handle: FileHandle, batch: Uint8Array[]): Promise<void> {
  let rest = batch.filter((chunk) => chunk.byteLength > 0);
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    // A short write: drop what went out and write the rest.
    while (rest.length > 0 && bytesWritten >= rest[0]!.byteLength) {
      bytesWritten -= rest[0]!.byteLength;
      rest = rest.slice(1);
    }
    if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
  }
}

const openFile = promisify(fsOpen);
const fstatFile = promisify(fstat);
const readAt = promisify(fsRead);

/** Closes without waiting: nothing is written through a descriptor opened for reading. */
function closeFile(fd: number): void {
  fsClose(fd, () => undefined);
}

/** Fills `bytes` from `start` of an open file; fewer when the file was cut short meanwhile. */
async function readRange(fd: number, start: number, bytes: Buffer): Promise<Buffer> {
  let filled = 0;
  while (filled < bytes.byteLength) {
    const { bytesRead } = await readAt(
      fd,
      bytes,
      filled,
      bytes.byteLength - filled,
      start + filled,
    );
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled < bytes.byteLength ? bytes.subarray(0, filled) : bytes;
}

/** Makes the rename itself durable; some file systems refuse to fsync a directory, which is fine. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r").catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close().catch(() => undefined);
}
