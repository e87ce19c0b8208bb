// Bytes to send (an image, an import ZIP) from a file path, a buffer or a stream. A path
// or buffer can be sent again on retry; a stream only once.
import { openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { PictographError } from "./errors";
import type { RequestBody } from "./request";

/** A file path, bytes in memory, a Node stream, a web stream or a Blob. */
export type Uploadable = string | Uint8Array | Blob | Readable | ReadableStream<Uint8Array>;

export function uploadBody(source: Uploadable, contentType: string): RequestBody {
  if (typeof source === "string")
    // A file-backed Blob: streamed from disk, with its length known, and reopened on retry.
    return { bytes: () => openFile(source), replayable: true, contentType };
  if (source instanceof Uint8Array || source instanceof Blob)
    return { bytes: () => source, replayable: true, contentType };
  if (source instanceof Readable)
    return {
      bytes: () => Readable.toWeb(source) as ReadableStream<Uint8Array>,
      replayable: false,
      contentType,
    };
  return { bytes: () => source, replayable: false, contentType };
}

/** The file as a Blob; fs's own error (ENOENT, EACCES) when it cannot be read, which
 * `openAsBlob` alone would report only as it is sent, without the path. */
async function openFile(path: string): Promise<Blob> {
  const info = await stat(path);
  if (!info.isFile()) throw new PictographError(`${path} is not a file`);
  return openAsBlob(path);
}
