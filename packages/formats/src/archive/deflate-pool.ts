// Deflates on worker threads, off the thread that runs the format writer: many small buffers
// (and their CRC-32) a batch per message, on zlib streams kept from one to the next, so a ZIP
// of 100k label files is not held back by zlib's per-call cost; and the blocks of a large
// streamed member, whose zlib set-up and priming with the block before would otherwise cost
// the writer's thread ≈0.5 ms a block. Raw deflate only; never reorders a batch.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import zlib from "node:zlib";

/** zlib settings for one small input: a window no larger than the input needs (decoders
 * accept any window) costs less to set up and compresses it just as well, and an output
 * buffer sized to the input keeps each result from pinning zlib's default 16 KiB chunk. */
export function smallDeflateOptions(size: number, level: number): zlib.ZlibOptions {
  const windowBits = smallWindowBits(size);
  return { level, windowBits, memLevel: Math.min(8, windowBits - 7), chunkSize: size + 64 };
}

/** The window smallDeflateOptions picks for an input of `size` bytes. */
function smallWindowBits(size: number): number {
  return Math.min(15, Math.max(9, Math.ceil(Math.log2(Math.max(size, 1)))));
}

/** Raw deflate of one small input, or null when that does not make it smaller. */
export function deflateSmall(input: Uint8Array, level: number): Uint8Array | null {
  const deflated = zlib.deflateRawSync(input, smallDeflateOptions(input.byteLength, level));
  return deflated.byteLength < input.byteLength ? deflated : null;
}

/** One block of a longer stream, raw-deflated here as a pool worker does it (deflateBlock in
 * WORKER_SOURCE): primed with `dictionary`, the bytes just before it, and sync-flushed so that
 * it ends on a byte boundary. */
export function deflateBlockHere(
  block: Uint8Array,
  dictionary: Uint8Array | null,
  level: number,
): Uint8Array {
  return zlib.deflateRawSync(block, {
    level,
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
    ...(dictionary && { dictionary }),
  });
}

/** The nice value of deflate threads: below the writer's thread, which stays at 0. */
export const DEFLATE_THREAD_NICE = 10;

// Plain CommonJS evaluated as a worker: no file to resolve, so it runs the same under tsx,
// vitest and a bundled app. It receives the inputs packed into one transferred buffer.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const zlib = require("node:zlib");
yieldToWriter();
parentPort.on("message", (message) =>
  message.block ? deflateBlock(message) : deflateBatch(message),
);
// The writer's thread is a build's critical path, and on a busy machine a deflate thread of
// the same priority preempts it whenever a block wakes it: 3% of a 100k COCO export's time.
// Linux lets a thread lower its own priority; elsewhere this does nothing.
function yieldToWriter() {
  try {
    const thread = require("node:fs").readlinkSync("/proc/thread-self");
    require("node:os").setPriority(Number(thread.split("/").pop()), ${DEFLATE_THREAD_NICE});
  } catch {}
}
function deflateBlock({ id, level, block, dictionary }) {
  const deflated = zlib.deflateRawSync(block, {
    level,
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
    chunkSize: block.byteLength + 1024,
    ...(dictionary && { dictionary }),
  });
  // Exactly its bytes: the output buffer is larger, and a short one may be Node's shared pool.
  const packed = new Uint8Array(deflated);
  parentPort.postMessage({ id, packed }, [packed.buffer]);
}
// zlib streams reset and reused from one small input to the next: setting a stream up and
// tearing it down, as deflateRawSync does on every call, cost a 2 KB label file a third of its
// time. A stream is reused only for an input at least as long as every input it has had, so
// the bytes are those of a fresh stream: a reset keeps the old inputs in the window, and the
// match search reads up to 258 bytes past the data, where a longer old input could change
// which match wins. Node has no public synchronous API for a reused stream, so this calls the
// handle's writeSync as deflateRawSync does inside; the ZipWriter tests hold the bytes equal.
const STREAMS_PER_WINDOW = 8;
/** Per level and window size: streams and the longest input each has had. */
const streams = new Map();
function streamFor(level, bits, length) {
  const key = level * 16 + bits;
  let kept = streams.get(key);
  if (!kept) streams.set(key, (kept = []));
  // Of those that may take it, the one whose longest input is longest: the rest stay free for
  // shorter inputs.
  let best = null;
  for (const candidate of kept)
    if (candidate.longest <= length && (!best || candidate.longest > best.longest)) best = candidate;
  if (best) {
    best.longest = length;
    best.stream._handle.reset();
    return best.stream;
  }
  if (kept.length === STREAMS_PER_WINDOW) {
    const longest = kept.reduce((a, b) => (b.longest > a.longest ? b : a));
    longest.stream.close();
    kept.splice(kept.indexOf(longest), 1);
  }
  const stream = new zlib.DeflateRaw({ level, windowBits: bits, memLevel: Math.min(8, bits - 7) });
  // A failing handle destroys its stream at once and emits the error later: it is thrown by
  // deflateInto, where the failure is seen.
  stream.on("error", () => undefined);
  kept.push({ stream, longest: length });
  return stream;
}
/** Raw-deflates input into out[at, at + input length): the length written, or -1 when that
 * would not be smaller than the input. */
function deflateInto(input, out, at, level, bits) {
  const length = input.byteLength;
  const stream = streamFor(level, bits, length);
  stream._handle.writeSync(zlib.constants.Z_FINISH, input, 0, length, out, at, length);
  if (stream.destroyed) throw stream.errored ?? new Error("zlib failed to deflate a member");
  const [availOut, availIn] = stream._writeState;
  // Out of room before the end: deflate does not make it smaller.
  return availOut === 0 || availIn !== 0 ? -1 : length - availOut;
}
let scratch = new Uint8Array(0);
function deflateBatch({ id, level, data, ends, windowBits }) {
  const sizes = new Uint32Array(ends.length);
  const crcs = new Uint32Array(ends.length);
  const deflated = new Uint8Array(ends.length);
  // Each result is written here, no longer than its input, then the batch's are copied out.
  if (scratch.byteLength < data.byteLength) scratch = new Uint8Array(data.byteLength);
  let start = 0;
  let at = 0;
  for (let i = 0; i < ends.length; i++) {
    const input = data.subarray(start, ends[i]);
    start = ends[i];
    crcs[i] = zlib.crc32(input);
    const size = deflateInto(input, scratch, at, level, windowBits[i]);
    // Stored as it is when deflate does not make it smaller.
    deflated[i] = size >= 0 ? 1 : 0;
    if (size < 0) scratch.set(input, at);
    sizes[i] = size >= 0 ? size : input.byteLength;
    at += sizes[i];
  }
  const packed = scratch.slice(0, at);
  // The inputs' buffer goes back too, for the next batch to be written into.
  parentPort.postMessage({ id, packed, sizes, crcs, deflated, data }, [packed.buffer, data.buffer]);
}
`;

type Reply = {
  id: number;
  packed: Uint8Array;
  sizes?: Uint32Array;
  crcs?: Uint32Array;
  deflated?: Uint8Array;
  data?: Uint8Array;
};

/** Per input: what to store (its raw deflate, or itself when that is not smaller), whether
 * that is deflated, and its CRC-32. */
export type DeflatedBatch = { bodies: Uint8Array[]; deflated: Uint8Array; crcs: Uint32Array };
type Pending = { resolve: (reply: Reply) => void; reject: (error: Error) => void };

/** Worker threads that fit next to the format writer's thread on this machine. */
export function defaultDeflateThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

/** Input buffers kept for reuse: as many as batches are usually in flight. */
const SPARE_BUFFERS = 4;

export class DeflatePool {
  private readonly workers: Worker[] = [];
  /** Batches each worker still owes. */
  private readonly owed: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed: Error | null = null;
  /** Input buffers back from finished batches: reusing one spares allocating (and the kernel
   * faulting in) half a megabyte for each batch. */
  private readonly spares: Uint8Array[] = [];

  constructor(
    private readonly level: number,
    threads: number,
  ) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on("message", (reply: Reply) => this.receive(reply));
      worker.on("error", (error) => this.close(error));
      // A worker that stops without being told to would leave its batches owed forever.
      worker.on("exit", (code) =>
        this.close(new Error(`a deflate worker stopped (exit code ${code})`)),
      );
      worker.unref();
      this.workers.push(worker);
      this.owed.push(0);
    }
  }

  /** Deflates each input and computes its CRC, off this thread. The inputs lie end to end in
   * `data` (input i ends at ends[i]), a buffer of its own that moves to the worker: it comes
   * back, once the batch is done, through `spareBuffer`. */
  deflate(data: Uint8Array, ends: Uint32Array): Promise<DeflatedBatch> {
    if (this.closed) return Promise.reject(this.closed);
    const windowBits = new Uint8Array(ends.length);
    for (let i = 0; i < ends.length; i++)
      windowBits[i] = smallWindowBits(ends[i]! - (ends[i - 1] ?? 0));
    return this.send({ level: this.level, data, ends, windowBits }, [
      data.buffer as ArrayBuffer,
    ]).then(({ packed, sizes, crcs, deflated, data: returned }) => {
      if (returned && this.spares.length < SPARE_BUFFERS) this.spares.push(returned);
      return { bodies: unpack(packed, sizes!), deflated: deflated!, crcs: crcs! };
    });
  }

  /** A buffer a finished batch's inputs came back in, free to be written again; or null. */
  spareBuffer(): Uint8Array | null {
    return this.spares.pop() ?? null;
  }

  /** One block of a longer stream, raw-deflated and sync-flushed so that it ends on a byte
   * boundary; primed with `dictionary`, the bytes just before it, when there are any. Both
   * buffers move to the worker (copying them cost the caller's thread 0.5 ms a block): each
   * must be a buffer of its own, unused from here on. */
  deflateBlock(block: Uint8Array, dictionary: Uint8Array | null): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(this.closed);
    const moved = [block.buffer, ...(dictionary ? [dictionary.buffer] : [])] as ArrayBuffer[];
    return this.send({ level: this.level, block, dictionary }, moved).then(({ packed }) => packed);
  }

  private send(message: object, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const id = this.nextId++;
    const slot = id % this.workers.length;
    const worker = this.workers[slot]!;
    // Referenced only while it owes us a reply, so an idle pool never keeps a process alive.
    this.owed[slot] = (this.owed[slot] ?? 0) + 1;
    if (this.owed[slot] === 1) worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...message }, transfer);
    });
  }

  /** Stops the workers; batches still owed are rejected with `reason`. */
  close(reason: Error = new Error("the deflate pool was closed")): void {
    if (this.closed) return;
    this.closed = reason;
    for (const { reject } of this.pending.values()) reject(reason);
    this.pending.clear();
    for (const worker of this.workers) void worker.terminate();
  }

  private receive(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    const slot = reply.id % this.workers.length;
    this.owed[slot] = (this.owed[slot] ?? 1) - 1;
    if (this.owed[slot] === 0) this.workers[slot]!.unref();
    pending.resolve(reply);
  }
}

function unpack(packed: Uint8Array, sizes: Uint32Array): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  let at = 0;
  for (const size of sizes) {
    bodies.push(Buffer.from(packed.buffer, packed.byteOffset + at, size));
    at += size;
  }
  return bodies;
}
