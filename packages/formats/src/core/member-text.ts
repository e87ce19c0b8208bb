// Reads one member of an untrusted archive as text, piece by piece, for the streaming readers
// (JSON, XML): strict UTF-8, refused past a byte limit, never whole in memory. Failures are
// MemberTextError, whose message is the problem's reason.
import { errorMessage } from "./import-problems";
import type { ArchiveSource } from "./types";

export class MemberTextError extends Error {}

export async function* memberText(
  archive: ArchiveSource,
  path: string,
  maxBytes: number,
): AsyncGenerator<string, void, void> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const decode = (bytes?: Uint8Array) => {
    try {
      return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    } catch {
      throw new MemberTextError("file is not valid UTF-8 text");
    }
  };
  let chunks: AsyncIterator<Uint8Array>;
  try {
    chunks = archive.open(path)[Symbol.asyncIterator]();
  } catch (error) {
    throw new MemberTextError(`cannot read file: ${errorMessage(error)}`);
  }
  let bytes = 0;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (error) {
        throw new MemberTextError(`cannot read file: ${errorMessage(error)}`);
      }
      if (next.done) break;
      bytes += next.value.byteLength;
      if (bytes > maxBytes)
        throw new MemberTextError(`cannot read file: ${path}: larger than ${maxBytes} bytes`);
      const text = decode(next.value);
      if (text) yield text;
    }
    const rest = decode();
    if (rest) yield rest;
  } finally {
    await chunks.return?.();
  }
}
