// An upload's request body as the chunks storage.put takes. Plain iteration, no stream
// piping: every error reaches the one consumer and none is left unhandled. A body that fails
// before its end (the client went away, a proxy cut it) is the client's doing, not a 500.
export class UploadInterruptedError extends Error {
  constructor(cause: unknown) {
    super("the upload was cut off before the end of the file; nothing was stored", { cause });
  }
}

export async function* requestBodyChunks(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        throw new UploadInterruptedError(error);
      }
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Stop reading a body nobody will consume (a refused or failed upload).
    if (!done) void reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
