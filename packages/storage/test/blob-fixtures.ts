// Bodies and readers for the storage tests: random bytes streamed in chunks, and helpers to
// read a stream back whole.
import { createHash, randomBytes } from "node:crypto";
import { type Readable } from "node:stream";

export const MiB = 1024 * 1024;

export function randomData(size: number): Buffer {
  return randomBytes(size);
}

export function sha256Of(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Streams `data` in `chunkSize` pieces, as an HTTP upload would arrive. */
export async function* chunksOf(data: Buffer, chunkSize = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    yield data.subarray(offset, offset + chunkSize);
  }
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** A promise plus the function that resolves it, for pausing a body mid-stream. */
export function createLatch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
