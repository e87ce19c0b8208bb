// An ArchiveSource over a directory tree (an unpacked export handed to `convert` or an
// import). Members are relative POSIX paths in a stable, sorted order. Symbolic links are
// reported and skipped, never followed: nothing outside the tree can be read through it.
// Like all of src/archive/, it may use node:fs; format folders may not.
import { constants } from "node:fs";
import { lstat, open, opendir, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import type { ImportProblem } from "@pictograph/schema";
import type { ArchiveMember } from "../core/types";
import { normaliseMemberPath } from "./member-path";
import { DEFAULT_ARCHIVE_LIMITS, type OpenedArchive } from "./zip-archive";

export async function openDirectoryArchive(
  dir: string,
  limits: { maxReadBytes?: number } = {},
): Promise<OpenedArchive> {
  const root = await realpath(dir);
  if (!(await lstat(root)).isDirectory()) throw new Error(`${dir}: not a directory`);
  const maxReadBytes = limits.maxReadBytes ?? DEFAULT_ARCHIVE_LIMITS.maxReadBytes;
  const problems: ImportProblem[] = [];
  const reported = new Set<string>();
  const report = (file: string, reason: string) => {
    if (reported.has(file)) return;
    reported.add(file);
    problems.push({ file, line: null, element: null, reason });
  };

  /** The absolute path of a member that is a regular file reached without any symlink, or
   * null. realpath equal to the joined path proves no component is a link. */
  async function resolveMember(path: string): Promise<string | null> {
    const name = normaliseMemberPath(path);
    if (name.kind !== "file" || name.path !== path) return null;
    const full = join(root, ...path.split("/"));
    try {
      if ((await realpath(full)) !== full) return null;
      return (await lstat(full)).isFile() ? full : null;
    } catch {
      return null;
    }
  }

  async function openMember(path: string) {
    const full = await resolveMember(path);
    if (!full) throw new Error(`${path}: no such file in the archive`);
    // O_NOFOLLOW: a link swapped in after the check is refused, not followed.
    return open(/*turbopackIgnore: true*/ full, constants.O_RDONLY | constants.O_NOFOLLOW);
  }

  async function* walk(dirPath: string, prefix: string): AsyncGenerator<ArchiveMember> {
    const entries = [];
    for await (const entry of await opendir(dirPath)) entries.push(entry);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = prefix + entry.name;
      const full = dirPath + sep + entry.name;
      if (entry.isSymbolicLink()) report(path, "symbolic link; not followed");
      else if (entry.isDirectory()) yield* walk(full, path + "/");
      else if (!entry.isFile()) report(path, "not a regular file");
      else if (entry.name.includes("\\")) report(path, "file name contains a backslash");
      else yield { path, size: (await lstat(full)).size };
    }
  }

  return {
    problems,
    members: () => walk(root, ""),
    has: async (path) => (await resolveMember(path)) !== null,
    async read(path, maxBytes = maxReadBytes) {
      const file = await openMember(path);
      try {
        const { size } = await file.stat();
        if (size > maxBytes) throw new Error(`${path}: larger than ${maxBytes} bytes`);
        const chunks: Uint8Array[] = [];
        let count = 0;
        // Counted as read: the file may grow after the stat.
        for await (const chunk of file.createReadStream({
          autoClose: false,
        }) as AsyncIterable<Buffer>) {
          count += chunk.byteLength;
          if (count > maxBytes) throw new Error(`${path}: larger than ${maxBytes} bytes`);
          chunks.push(chunk);
        }
        return Buffer.concat(chunks);
      } finally {
        await file.close();
      }
    },
    async *open(path) {
      const file = await openMember(path);
      yield* file.createReadStream() as AsyncIterable<Buffer>;
    },
    async close() {},
  };
}
