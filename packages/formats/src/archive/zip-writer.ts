// A streaming ZIP writer: entries are added one after another and come out of `stream`, a
// Node Readable that respects backpressure (`add…` waits while the consumer is behind), so
// memory stays flat however many entries an export has (the central directory waits in a
// temporary file: central-directory.ts). ZIP64 records are written whenever
// a size, an offset or the entry count outgrows the classic fields.
// src/archive/ is the only part of @pictograph/formats allowed node:fs, node:stream and
// node:zlib; the format folders stay pure. This writer must never hold an entry's data after
// the entry is written, and never end the stream as if complete after a failure.
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { promisify } from "node:util";
import { CentralDirectory, NameHashes } from "./central-directory";
import { DeflatePool, defaultDeflateThreads, deflateBlockHere, deflateSmall } from "./deflate-pool";
import {
  dataDescriptorLength,
  FLAG_DATA_DESCRIPTOR,
  FLAG_UTF8,
  LOCAL_HEADER_SIZE,
  METHOD_DEFLATED,
  METHOD_STORED,
  endRecordsLength,
  toDosDateTime,
  writeDataDescriptor,
  writeEndRecords,
  writeLocalHeader,
  ZIP64_LIMIT,
  type DosDateTime,
  type EntryFields,
} from "./zip-records";

export type ZipWriterOptions = {
  /** Stamped on every entry, so the same input always gives the same bytes. */
  mtime: Date;
  /** zlib level, 0 (store everything) to 9; default 6. */
  level?: number;
  /** Output bytes buffered before `add…` waits for the consumer; default 1 MiB. */
  highWaterMark?: number;
  /** Worker threads deflating small members and the blocks of streamed ones; default: one
   * per spare core, at most 2. */
  deflateThreads?: number;
};

export type AddOptions = {
  /** Deflate the data. Default: true for whole buffers and text streams; for `addStream`,
   * false when the name has an already-compressed image extension (jpg, png, webp…). */
  compress?: boolean;
};

export type ZipTotals = { entries: number; bytes: number };

/** Output is gathered into chunks of this size before it is handed to the stream. */
const CHUNK_SIZE = 64 * 1024;
/** Data at least this long is handed to the stream as is rather than copied into a chunk. */
const DIRECT_SIZE = 16 * 1024;
/** Whole buffers up to this size are deflated in batches on the worker pool; larger ones on
 * zlib's own thread pool, one call each. */
const SMALL_SIZE = 256 * 1024;
const BATCH_ENTRIES = 256;
const BATCH_BYTES = 512 * 1024;
/** A batch's members are written straight into one buffer of this size, which then moves to
 * the worker: it always has room for one more small member past BATCH_BYTES. */
const BATCH_BUFFER_SIZE = BATCH_BYTES + SMALL_SIZE;
/** Streamed members are deflated in blocks of this size, a few at once on the worker pool, as
 * pigz does: one zlib stream for a 200 MB COCO JSON made the writer's thread wait for it. */
const BLOCK_SIZE = 512 * 1024;
const BLOCKS_IN_FLIGHT = 3;
/** What a block is primed with from the one before it: deflate's whole window, so the ratio
 * is that of one stream. */
const WINDOW_SIZE = 32 * 1024;
/** An empty final block (fixed Huffman): ends a deflate stream whose blocks were sync-flushed. */
const FINAL_BLOCK = Uint8Array.of(0x03, 0x00);
/** Small members, and blocks of streamed ones, deflated on this thread before a worker pool
 * is worth starting (≈20 ms): a 10-image export never starts one. */
const INLINE_SMALL_ENTRIES = 64;
const INLINE_BLOCKS = 4;
/** Members accepted but not yet written: beyond these, `addBuffer` waits. */
const MAX_QUEUED_ENTRIES = 4 * BATCH_ENTRIES;
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

// Deflating these again costs time and saves nothing.
const PRECOMPRESSED_EXTENSIONS = new Set(["jpg", "jpeg", "png", "webp", "gif", "avif"]);

const deflateRawAsync = promisify(zlib.deflateRaw);

/** Whether a member with this name is stored rather than deflated when streamed. */
export function isPrecompressedName(name: string): boolean {
  const dot = name.lastIndexOf(".");
  return dot >= 0 && PRECOMPRESSED_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

// Anything FORMATS.md rule 3 forbids in one pass: a leading slash or drive letter, an
// empty, `.` or `..` segment, a trailing slash, a backslash or a NUL.
const UNSAFE_NAME = /^\/|^[A-Za-z]:|(^|\/)\.{0,2}(\/|$)|[\\\0]/;

/** Why `name` is not a relative POSIX file path without `..` (FORMATS.md rule 3, and what
 * our own archive reader refuses), or null when it is fine. Checked per member, so cheap. */
function memberNameProblem(name: string, byteLength: number): string | null {
  if (byteLength > 0xffff) return "is longer than 65535 bytes";
  if (!UNSAFE_NAME.test(name)) return null;
  if (name === "") return "is empty";
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) return "is absolute";
  if (name.includes("\\")) return "contains a backslash";
  if (name.includes("\0")) return "contains a NUL character";
  if (name.endsWith("/")) return "names a directory";
  return "has an empty, . or .. segment";
}

/** A whole-buffer member accepted but not yet written; `body` is set once it is compressed. */
type QueuedEntry = { name: string; fields: EntryFields; body: Uint8Array | null };

export class ZipWriter {
  /** The archive's bytes. Errors (never ends) when the archive cannot be completed. */
  readonly stream: Readable;

  private readonly dos: DosDateTime;
  private readonly level: number;
  private readonly deflateThreads: number;
  private chunk = Buffer.allocUnsafe(CHUNK_SIZE);
  /** Where the bytes not yet handed to the stream begin in `chunk`, and where they end. */
  private flushed = 0;
  private used = 0;
  /** Bytes of archive produced so far: the offset of whatever comes next. */
  private offset = 0;
  /** Hashes of the names so far: the names themselves are only in the directory. */
  private readonly names = new NameHashes();
  private readonly directory: CentralDirectory;
  /** Members in ZIP order, written as soon as the first ones have their bodies. */
  private queue: QueuedEntry[] = [];
  private queuedBytes = 0;
  private batch: QueuedEntry[] = [];
  /** Where the batch's members are, end to end: encoded here as they are added. */
  private batchBuffer: Buffer | null = null;
  private batchEnds: number[] = [];
  private batchBytes = 0;
  private smallEntries = 0;
  private inlineBlocks = 0;
  private pool: DeflatePool | null = null;
  private busy = false;
  private finished = false;
  private failure: Error | null = null;
  /** Set when the stream's buffer is full; cleared when the consumer asks for more. */
  private blocked = false;
  private waiter: { resolve: () => void; reject: (error: Error) => void } | null = null;

  constructor(options: ZipWriterOptions) {
    this.dos = toDosDateTime(options.mtime);
    this.directory = new CentralDirectory(this.dos);
    this.level = options.level ?? 6;
    if (!Number.isInteger(this.level) || this.level < 0 || this.level > 9)
      throw new Error(`ZIP compression level must be an integer from 0 to 9, got ${options.level}`);
    this.deflateThreads = options.deflateThreads ?? defaultDeflateThreads();
    this.stream = new Readable({
      highWaterMark: options.highWaterMark ?? 1024 * 1024,
      read: () => {
        this.blocked = false;
        this.wake();
      },
      destroy: (error, callback) => {
        this.fail(error ?? outputClosedError());
        callback(error);
      },
    });
  }

  /** Entries added so far. */
  get entryCount(): number {
    return this.directory.entries + this.queue.length;
  }

  /** Archive bytes produced so far. */
  get bytesWritten(): number {
    return this.offset;
  }

  /** One member from bytes in memory (label files, README, JSON). Strings are UTF-8. Stored
   * when deflate does not make it smaller. `data` must not change after the call. Resolves
   * once the member is accepted; it is written in order as soon as it is compressed. */
  addBuffer(name: string, data: string | Uint8Array, options: AddOptions = {}): Promise<void> {
    return this.run(async () => {
      const nameLength = this.claimName(name);
      const size = typeof data === "string" ? Buffer.byteLength(data, "utf8") : data.byteLength;
      if (size >= ZIP64_LIMIT) throw new Error(`${name}: stream members of 4 GiB or more`);
      const fields: EntryFields = {
        nameLength,
        flags: FLAG_UTF8,
        method: METHOD_STORED,
        crc: 0,
        compressedSize: 0,
        size,
        offset: 0,
      };
      const entry: QueuedEntry = { name, fields, body: null };
      this.queue.push(entry);
      this.queuedBytes += size;
      const bytes = () => (typeof data === "string" ? Buffer.from(data, "utf8") : data);
      // The CRC is computed wherever the member is deflated: on the pool for batched ones.
      if (options.compress === false || this.level === 0 || size === 0) {
        const stored = bytes();
        settle(entry, stored, false, zlib.crc32(stored));
      } else if (size > SMALL_SIZE) this.deflateLarge(entry, bytes());
      else if (this.smallEntries++ < INLINE_SMALL_ENTRIES || this.deflateThreads === 0) {
        const input = bytes();
        const deflated = deflateSmall(input, this.level);
        settle(entry, deflated ?? input, deflated !== null, zlib.crc32(input));
      } else this.addToBatch(entry, data);
      this.writeReady();
      await this.until(
        () =>
          !this.blocked &&
          this.queue.length < MAX_QUEUED_ENTRIES &&
          this.queuedBytes < MAX_QUEUED_BYTES,
      );
    });
  }

  /** One member from a stream of unknown length (image files, COCO JSON): written with a
   * data descriptor, its CRC computed as the bytes go by. Strings are UTF-8. */
  addStream(
    name: string,
    body: AsyncIterable<string | Uint8Array>,
    options: AddOptions = {},
  ): Promise<void> {
    return this.run(async () => {
      const nameLength = this.claimName(name);
      await this.until(() => this.queue.length === 0);
      const compress = (options.compress ?? !isPrecompressedName(name)) && this.level > 0;
      const fields: EntryFields = {
        nameLength,
        flags: FLAG_UTF8 | FLAG_DATA_DESCRIPTOR,
        method: compress ? METHOD_DEFLATED : METHOD_STORED,
        crc: 0,
        compressedSize: 0,
        size: 0,
        offset: this.offset,
      };
      this.writeHeader(name, fields);
      const input = countBytes(
        compress ? gatherBytes(body, BLOCK_SIZE, false) : gatherBytes(body, CHUNK_SIZE, true),
        fields,
      );
      const output = compress
        ? deflateBlocks(input, (block, dictionary) => this.deflateBlock(block, dictionary))
        : input;
      for await (const chunk of output) {
        fields.compressedSize += chunk.byteLength;
        this.append(chunk);
        await this.until(() => !this.blocked);
      }
      const length = dataDescriptorLength(fields.size, fields.compressedSize);
      this.reserve(length);
      this.used = writeDataDescriptor(
        this.chunk,
        this.used,
        fields.crc,
        fields.compressedSize,
        fields.size,
      );
      this.offset += length;
      this.directory.record(name, fields);
      await this.until(() => !this.blocked);
    });
  }

  /** Writes the central directory and the end records, then ends the stream. */
  finish(): Promise<ZipTotals> {
    return this.run(async () => {
      await this.until(() => this.queue.length === 0);
      this.closePool();
      // What the end records say: the directory's entries, where it starts, its size.
      const { entries, size } = this.directory;
      const end = { entries, offset: this.offset, size };
      for (const page of this.directory.pages()) {
        this.append(page);
        await this.until(() => !this.blocked);
      }
      this.directory.close();
      const length = endRecordsLength(end);
      this.reserve(length);
      this.used = writeEndRecords(this.chunk, this.used, end);
      this.offset += length;
      this.flushChunk();
      this.finished = true;
      this.stream.push(null);
      return { entries, bytes: this.offset };
    });
  }

  /** Errors the stream: the consumer sees `error`, never a clean end of a partial archive. */
  abort(error: unknown): void {
    if (this.finished) return;
    const reason = error instanceof Error ? error : new Error(String(error));
    this.fail(reason);
    if (!this.stream.destroyed) this.stream.destroy(reason);
  }

  private async run<T>(step: () => Promise<T>): Promise<T> {
    if (this.failure) throw this.failure;
    if (this.finished) throw new Error("the ZIP archive is already finished");
    if (this.busy)
      throw new Error("ZIP entries must be added one at a time: await the previous add");
    this.busy = true;
    try {
      return await step();
    } catch (error) {
      // Part of an entry may already be out: the archive cannot be completed any more.
      this.abort(error);
      throw error;
    } finally {
      this.busy = false;
    }
  }

  private claimName(name: string): number {
    const length = Buffer.byteLength(name, "utf8");
    const problem = memberNameProblem(name, length);
    if (problem) throw new Error(`ZIP member name ${JSON.stringify(name)} ${problem}`);
    // A known hash is settled against the names themselves: a real duplicate, in practice.
    if (
      !this.names.add(name) &&
      (this.queue.some((entry) => entry.name === name) || this.directory.has(name))
    )
      throw new Error(`duplicate ZIP member ${name}`);
    return length;
  }

  /** Adds a small member to the batch, its bytes encoded straight into the batch's buffer. */
  private addToBatch(entry: QueuedEntry, data: string | Uint8Array): void {
    const buffer = (this.batchBuffer ??= this.newBatchBuffer());
    if (typeof data === "string") buffer.write(data, this.batchBytes, "utf8");
    else buffer.set(data, this.batchBytes);
    this.batchBytes += entry.fields.size;
    this.batchEnds.push(this.batchBytes);
    this.batch.push(entry);
    if (this.batch.length >= BATCH_ENTRIES || this.batchBytes >= BATCH_BYTES) this.sendBatch();
  }

  private newBatchBuffer(): Buffer {
    const spare = this.pool?.spareBuffer();
    return spare
      ? Buffer.from(spare.buffer, spare.byteOffset, spare.byteLength)
      : Buffer.allocUnsafeSlow(BATCH_BUFFER_SIZE);
  }

  private sendBatch(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    const ends = Uint32Array.from(this.batchEnds);
    const buffer = this.batchBuffer!;
    this.batch = [];
    this.batchEnds = [];
    this.batchBuffer = null;
    this.batchBytes = 0;
    this.pool ??= new DeflatePool(this.level, this.deflateThreads);
    this.pool
      .deflate(buffer, ends)
      .then(({ bodies, deflated, crcs }) => {
        batch.forEach((entry, i) => settle(entry, bodies[i]!, deflated[i] === 1, crcs[i]!));
        this.writeReady();
      })
      // Writing can fail too (the directory's temporary file): never an unhandled rejection.
      .catch((error: unknown) => this.abort(error));
  }

  private deflateLarge(entry: QueuedEntry, data: Uint8Array): void {
    deflateRawAsync(data, { level: this.level })
      .then((deflated) => {
        const smaller = deflated.byteLength < data.byteLength;
        settle(entry, smaller ? deflated : data, smaller, zlib.crc32(data));
        this.writeReady();
      })
      .catch((error: unknown) => this.abort(error));
  }

  /** One block of a streamed member, a buffer of its own that this takes over: on the worker
   * pool, or here when it has no threads or the member is among the first few blocks. */
  private deflateBlock(block: Uint8Array, dictionary: Uint8Array | null): Promise<Uint8Array> {
    if (this.deflateThreads > 0 && (this.pool || this.inlineBlocks >= INLINE_BLOCKS)) {
      this.pool ??= new DeflatePool(this.level, this.deflateThreads);
      return this.pool.deflateBlock(block, dictionary);
    }
    this.inlineBlocks++;
    return Promise.resolve(deflateBlockHere(block, dictionary, this.level));
  }

  /** Writes the queued members whose bodies are ready, stopping at the first that is not. */
  private writeReady(): void {
    if (this.failure) return;
    let written = 0;
    for (const entry of this.queue) {
      if (!entry.body) break;
      entry.fields.offset = this.offset;
      this.writeHeader(entry.name, entry.fields);
      this.append(entry.body);
      this.directory.record(entry.name, entry.fields);
      this.queuedBytes -= entry.fields.size;
      written++;
    }
    if (written > 0) {
      this.queue = written === this.queue.length ? [] : this.queue.slice(written);
      this.wake();
    }
  }

  private writeHeader(name: string, fields: EntryFields): void {
    this.reserve(LOCAL_HEADER_SIZE + fields.nameLength);
    this.used = writeLocalHeader(this.chunk, this.used, name, fields, this.dos);
    this.offset += LOCAL_HEADER_SIZE + fields.nameLength;
  }

  /** Makes room for `length` bytes in the current chunk. */
  private reserve(length: number): void {
    if (this.used + length <= this.chunk.byteLength) return;
    this.flushChunk();
    this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_SIZE, length));
    this.flushed = this.used = 0;
  }

  private append(data: Uint8Array): void {
    if (data.byteLength >= DIRECT_SIZE) {
      this.flushChunk();
      this.push(data);
    } else {
      this.reserve(data.byteLength);
      this.chunk.set(data, this.used);
      this.used += data.byteLength;
    }
    this.offset += data.byteLength;
  }

  /** Hands what the chunk holds to the stream. The chunk is kept and filled on from there:
   * an export with images flushes it before every image file, and a fresh 64 KiB chunk for
   * each one made the garbage collector run twice as often. */
  private flushChunk(): void {
    if (this.used === this.flushed) return;
    const bytes = this.chunk.subarray(this.flushed, this.used);
    this.flushed = this.used;
    this.push(bytes);
  }

  private push(data: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (!this.stream.push(data)) this.blocked = true;
  }

  /** Waits until `condition` holds, re-checking whenever output drains or members are written. */
  private async until(condition: () => boolean): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (condition()) return;
      // Never wait on members that are still held back in an unsent batch.
      this.sendBatch();
      await new Promise<void>((resolve, reject) => {
        this.waiter = { resolve, reject };
      });
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve();
  }

  private fail(error: Error): void {
    if (!this.failure) this.failure = error;
    this.closePool();
    this.directory.close();
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(this.failure);
  }

  private closePool(): void {
    this.pool?.close();
    this.pool = null;
  }
}

/** The consumer closed the output without saying why: a knock-on of whatever made it stop,
 * marked as Node marks a premature close so that callers can look past it for the cause. */
function outputClosedError(): Error {
  return Object.assign(new Error("the ZIP output was closed before the archive was complete"), {
    code: "ERR_STREAM_PREMATURE_CLOSE",
  });
}

function settle(entry: QueuedEntry, body: Uint8Array, deflated: boolean, crc: number): void {
  entry.body = body;
  entry.fields.crc = crc;
  entry.fields.method = deflated ? METHOD_DEFLATED : METHOD_STORED;
  entry.fields.compressedSize = body.byteLength;
}

/** Gathers the pieces of a body into blocks of about `size` bytes, so that a text body
 * yielded line by line costs one deflate call per block rather than per line. Text is encoded
 * straight into the block: joining it into a long string first kept the garbage collector
 * busier than the format writer. Every block is a buffer of its own, unless `passThrough` lets
 * a large binary piece through as it is. */
async function* gatherBytes(
  body: AsyncIterable<string | Uint8Array>,
  size: number,
  passThrough: boolean,
): AsyncGenerator<Uint8Array> {
  // Allocated when a piece is first copied: an image file passes through whole.
  let block: Buffer | null = null;
  let used = 0;
  for await (const piece of body) {
    const bytes = typeof piece === "string" ? Buffer.byteLength(piece, "utf8") : piece.byteLength;
    if (bytes === 0) continue;
    if (passThrough && used === 0 && bytes >= size && typeof piece !== "string") {
      yield piece;
      continue;
    }
    if (!block || used + bytes > block.byteLength) {
      if (block && used > 0) yield block.subarray(0, used);
      block = Buffer.allocUnsafe(Math.max(size, bytes));
      used = 0;
    }
    if (typeof piece === "string") block.write(piece, used, "utf8");
    else block.set(piece, used);
    used += bytes;
    if (used >= size) {
      yield block.subarray(0, used);
      block = null;
      used = 0;
    }
  }
  if (block && used > 0) yield block.subarray(0, used);
}

/** Passes chunks through, adding each one to the entry's CRC and uncompressed size. */
async function* countBytes(
  chunks: AsyncIterable<Uint8Array>,
  entry: EntryFields,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    entry.crc = zlib.crc32(chunk, entry.crc);
    entry.size += chunk.byteLength;
    yield chunk;
  }
}

/** Raw deflate of a block stream: each block deflated on its own, several at once, primed
 * with the end of the block before it and sync-flushed, so that the pieces, joined and closed
 * by FINAL_BLOCK, are one deflate stream. Pulled as the output is consumed. */
async function* deflateBlocks(
  blocks: AsyncIterable<Uint8Array>,
  deflate: (block: Uint8Array, dictionary: Uint8Array | null) => Promise<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const inFlight: Promise<Uint8Array>[] = [];
  let dictionary: Uint8Array | null = null;
  for await (const block of blocks) {
    // A copy: `deflate` takes the block over.
    const tail = new Uint8Array(block.subarray(-WINDOW_SIZE));
    const deflated = deflate(block, dictionary);
    // A later block may fail while an earlier one is awaited: that must not go unhandled.
    deflated.catch(() => undefined);
    inFlight.push(deflated);
    dictionary = tail;
    if (inFlight.length >= BLOCKS_IN_FLIGHT) yield await inFlight.shift()!;
  }
  for (const deflated of inFlight) yield await deflated;
  yield FINAL_BLOCK;
}
