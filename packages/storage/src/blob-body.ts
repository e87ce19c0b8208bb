// Reads a put() body chunk by chunk while measuring it, so drivers stream without ever holding
// the whole body. Never holds more than a few chunks beyond the one in hand.
import { createHash } from "node:crypto";
import { finished, Readable } from "node:stream";
import { type BlobBody, type PutResult } from "./blob-store";

export interface BodyReader {
  /** The body's bytes; throws the body's own error, or the signal's reason once aborted. */
  chunks: AsyncGenerator<Uint8Array, void, undefined>;
  /** Size and SHA-256 of everything `chunks` yielded so far (complete once it is exhausted). */
  measured(): PutResult;
  /** Gives up on the body after a failed put: a stream nobody will read is destroyed. */
  discard(): void;
}

export function readBlobBody(body: BlobBody, signal?: AbortSignal): BodyReader {
  const hash = createHash("sha256");
  let size = 0;
  const count = (chunk: Uint8Array): Uint8Array => {
    hash.update(chunk);
    size += chunk.byteLength;
    return chunk;
  };

  async function* chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    signal?.throwIfAborted();
    if (body instanceof Uint8Array) {
      yield count(body);
      return;
    }
    const source = body instanceof Readable ? chunksOf(body) : body[Symbol.asyncIterator]();
    let exhausted = false;
    try {
      for (;;) {
        const next = await nextUnlessAborted(source, signal);
        if (next.done) {
          exhausted = true;
          return;
        }
        const value: unknown = next.value;
        yield count(typeof value === "string" ? Buffer.from(value) : (value as Uint8Array));
      }
    } finally {
      // Release the source (a Node stream is destroyed) but do not wait: a stalled source
      // would otherwise keep an aborted put hanging.
      if (!exhausted) void Promise.resolve(source.return?.()).catch(() => undefined);
    }
  }

  const reader = chunks();
  return {
    chunks: reader,
    measured: () => ({ size, sha256: hash.copy().digest("hex") }),
    discard: () => {
      void reader.return(undefined).catch(() => undefined);
      if (body instanceof Readable && !body.destroyed) body.destroy();
    },
  };
}

/** The source's next chunk, or the abort reason as soon as the signal fires, whichever is first. */
function nextUnlessAborted<T>(
  source: AsyncIterator<T>,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<T>> {
  if (!signal) return source.next();
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    source
      .next()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Chunks the stream holds before it is paused, while the put is busy with an earlier one. */
const CHUNKS_AHEAD = 4;

/** A Node stream's chunks one by one, as it produced them. Its own async iterator hands over
 * everything buffered joined into one new buffer, which copied a 400 MB export once more and
 * cost its put ≈15% of its CPU time. */
async function* chunksOf(stream: Readable): AsyncGenerator<unknown, void, undefined> {
  const queue: unknown[] = [];
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const waiting = wake;
    wake = null;
    waiting?.();
  };
  const onData = (chunk: unknown) => {
    queue.push(chunk);
    if (queue.length >= CHUNKS_AHEAD) stream.pause();
    notify();
  };
  stream.on("data", onData);
  // Ends on 'end', and fails on 'error' or on a close before the end.
  const stopWatching = finished(stream, (error) => {
    if (error) failure = error;
    else ended = true;
    notify();
  });
  try {
    for (;;) {
      if (queue.length > 0) {
        yield queue.shift();
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      stream.resume();
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off("data", onData);
    stopWatching();
    if (!ended) stream.destroy();
  }
}
