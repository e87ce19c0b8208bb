// An ArchiveSource over files held in memory: for tests and for small in-process conversions.
import type { ImportProblem } from "@pictograph/schema";
import type { ArchiveMember, ArchiveSource } from "../core/types";

export function memoryArchive(files: Record<string, string | Uint8Array>): ArchiveSource {
  const encoder = new TextEncoder();
  const bytes = new Map(
    Object.entries(files).map(([path, body]) => [
      path,
      typeof body === "string" ? encoder.encode(body) : body,
    ]),
  );
  const problems: ImportProblem[] = [];
  return {
    problems,
    async *members(): AsyncIterable<ArchiveMember> {
      for (const [path, body] of bytes) yield { path, size: body.byteLength };
    },
    has: (path) => bytes.has(path),
    async read(path, maxBytes = Infinity) {
      const body = bytes.get(path);
      if (!body) throw new Error(`${path}: no such file in the archive`);
      if (body.byteLength > maxBytes) throw new Error(`${path}: larger than ${maxBytes} bytes`);
      return body;
    },
    async *open(path) {
      const body = bytes.get(path);
      if (!body) throw new Error(`${path}: no such file in the archive`);
      yield body;
    },
  };
}
