// Buffers the local driver reads files into, taken back once its own put() has written them.
// An export with images reads hundreds of MB of image files and writes them straight back out
// through put(). With a fresh buffer per file, V8 ran a full collection every ≈20 MB of them
// (external memory, outside its heap), which cost such an export ≈40% of its time.

export class ReadBuffers {
  /** Buffers handed out and not yet given back. */
  readonly #lent = new WeakSet<ArrayBufferLike>();
  /** Idle buffers by capacity, a power of two. */
  readonly #idle = new Map<number, ArrayBufferLike[]>();
  #idleBytes = 0;

  constructor(private readonly keepBytes: number) {}

  /** `size` bytes to read into, backed by a buffer of the next power of two. */
  take(size: number): Buffer {
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(size, 1)));
    let buffer = this.#idle.get(capacity)?.pop();
    if (buffer) this.#idleBytes -= capacity;
    else buffer = Buffer.allocUnsafeSlow(capacity).buffer;
    this.#lent.add(buffer);
    return Buffer.from(buffer, 0, size);
  }

  /** Takes back the buffer behind `chunk` when this pool lent it: its bytes are written and
   * nobody reads them again. Any other chunk is left alone. */
  giveBack(chunk: Uint8Array): void {
    const buffer = chunk.buffer;
    if (!this.#lent.delete(buffer)) return;
    if (this.#idleBytes + buffer.byteLength > this.keepBytes) return;
    let idle = this.#idle.get(buffer.byteLength);
    if (!idle) this.#idle.set(buffer.byteLength, (idle = []));
    idle.push(buffer);
    this.#idleBytes += buffer.byteLength;
  }
}
