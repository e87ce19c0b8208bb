// A FileEntry whose body is produced while the source is iterated (COCO JSON, CSV), so no
// file is ever held whole in memory. The writer checks `done` before it reports counts:
// a consumer must drain each body before asking for the next entry, as a ZIP writer does.
import type { FileEntry } from "./types";

/** Small pieces are gathered into chunks of about this many characters. */
const CHUNK_CHARS = 64 * 1024;

export type StreamedFile = { entry: FileEntry; readonly done: boolean };

export function streamedFile(
  path: string,
  pieces: () => AsyncIterable<string | Uint8Array>,
): StreamedFile {
  const state = { done: false };
  async function* body(): AsyncGenerator<string | Uint8Array> {
    let pending = "";
    for await (const piece of pieces()) {
      // Bytes come in blocks already.
      if (typeof piece !== "string") {
        if (pending) yield pending;
        pending = "";
        yield piece;
        continue;
      }
      pending += piece;
      if (pending.length >= CHUNK_CHARS) {
        yield pending;
        pending = "";
      }
    }
    if (pending) yield pending;
    state.done = true;
  }
  return {
    entry: { type: "file", path, body: body() },
    get done() {
      return state.done;
    },
  };
}

export function assertDrained(file: StreamedFile): void {
  if (!file.done)
    throw new Error(`${file.entry.path}: its body must be read to the end before the next entry`);
}
