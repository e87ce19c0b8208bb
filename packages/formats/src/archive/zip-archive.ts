// Reads a ZIP being imported or converted, with random access by member (yauzl). It refuses
// what could hurt the reader — zip-slip and absolute names, symlinks, encrypted members,
// duplicates, ZIP bombs — and reports each as a problem instead of throwing. It never trusts
// a declared size: reads count the bytes they inflate and check the CRC. It never writes.
// Like all of src/archive/, it may use node:fs and node:stream; format folders may not.
import { isUtf8 } from "node:buffer";
import { type Readable } from "node:stream";
import zlib from "node:zlib";
import yauzl from "yauzl";
import type { ImportProblem } from "@pictograph/schema";
import type { ArchiveMember, ArchiveSource } from "../core/types";
import { normaliseMemberPath } from "./member-path";

export type ArchiveLimits = {
  /** Members beyond this many are not read (reported once). */
  maxEntries: number;
  /** The declared sizes of the accepted members add up to at most this; later ones are refused. */
  maxTotalBytes: number;
  /** A member above `ratioMinBytes` that inflates more than this many times is refused. */
  maxRatio: number;
  ratioMinBytes: number;
  /** The default limit of `read`. */
  maxReadBytes: number;
  /** Problems kept word for word; the rest are counted in one last problem. */
  maxProblems: number;
};

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 1_000_000,
  maxTotalBytes: 64 * 1024 ** 3,
  maxRatio: 100,
  ratioMinBytes: 1024 * 1024,
  maxReadBytes: 512 * 1024 * 1024,
  maxProblems: 1000,
};

/** An archive holding an open file: call `close` when done with it. */
export type OpenedArchive = ArchiveSource & { close(): Promise<void> };

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const MADE_BY_UNIX = 3;

/** Where an accepted member's data is, kept in typed arrays rather than an object per member. */
class MemberTable {
  readonly index = new Map<string, number>();
  private readonly offsets: Float64Array;
  private readonly compressed: Float64Array;
  private readonly sizes: Float64Array;
  private readonly crcs: Uint32Array;
  private readonly methods: Uint8Array;

  constructor(capacity: number) {
    this.offsets = new Float64Array(capacity);
    this.compressed = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
    this.crcs = new Uint32Array(capacity);
    this.methods = new Uint8Array(capacity);
  }

  add(path: string, entry: yauzl.Entry): void {
    const i = this.index.size;
    this.index.set(path, i);
    this.offsets[i] = entry.relativeOffsetOfLocalHeader;
    this.compressed[i] = entry.compressedSize;
    this.sizes[i] = entry.uncompressedSize;
    this.crcs[i] = entry.crc32;
    this.methods[i] = entry.compressionMethod;
  }

  size(i: number): number {
    return this.sizes[i]!;
  }

  crc(i: number): number {
    return this.crcs[i]!;
  }

  /** A yauzl entry carrying just what `openReadStream` reads. */
  entry(i: number): yauzl.Entry {
    return Object.assign(new yauzl.Entry(), {
      relativeOffsetOfLocalHeader: this.offsets[i]!,
      compressedSize: this.compressed[i]!,
      uncompressedSize: this.sizes[i]!,
      compressionMethod: this.methods[i]!,
      generalPurposeBitFlag: 0,
    });
  }
}

export async function openZipArchive(
  path: string,
  limits: Partial<ArchiveLimits> = {},
): Promise<OpenedArchive> {
  const limit = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await yauzl.openPromise(path, {
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: true,
      strictFileNames: true,
    });
  } catch (error) {
    throw new Error(`not a ZIP file: ${path} (${(error as Error).message})`, { cause: error });
  }
  const problems: ImportProblem[] = [];
  let refused = 0;
  const refuse = (file: string, reason: string) => {
    refused++;
    if (problems.length < limit.maxProblems)
      problems.push({ file, line: null, element: null, reason });
  };
  const table = new MemberTable(Math.min(zipfile.entryCount, limit.maxEntries));
  try {
    await listMembers(zipfile, table, limit, refuse);
  } catch (error) {
    zipfile.close();
    throw new Error(`not a ZIP file: ${path} (${(error as Error).message})`, { cause: error });
  }
  if (refused > problems.length)
    problems.push({
      file: path,
      line: null,
      element: null,
      reason: `${refused - problems.length} more members were refused`,
    });
  return zipSource(zipfile, table, problems, limit.maxReadBytes);
}

/** The member's name as its writer meant it. Names flagged UTF-8 or carrying Info-ZIP's
 * Unicode path field are decoded by yauzl; unflagged names that are valid UTF-8 are read as
 * UTF-8 too (Info-ZIP without a UTF-8 locale and macOS write them so), the rest as CP437. */
function memberName(entry: yauzl.Entry): string {
  const flagged = (entry.generalPurposeBitFlag & 0x800) !== 0;
  const unicodeField = entry.extraFields.some((field) => field.id === 0x7075);
  if (!flagged && !unicodeField && isUtf8(entry.fileNameRaw))
    return entry.fileNameRaw.toString("utf8");
  return yauzl.getFileNameLowLevel(
    entry.generalPurposeBitFlag,
    entry.fileNameRaw,
    entry.extraFields,
    true,
  );
}

async function listMembers(
  zipfile: yauzl.ZipFile,
  table: MemberTable,
  limit: ArchiveLimits,
  refuse: (file: string, reason: string) => void,
): Promise<void> {
  if (zipfile.entryCount > limit.maxEntries)
    refuse(
      "",
      `the archive has ${zipfile.entryCount} members; only the first ${limit.maxEntries} were read`,
    );
  let total = 0;
  let seen = 0;
  for await (const entry of zipfile.eachEntry()) {
    const raw = memberName(entry);
    const name = normaliseMemberPath(raw);
    const mode =
      entry.versionMadeBy >> 8 === MADE_BY_UNIX
        ? (entry.externalFileAttributes >>> 16) & S_IFMT
        : 0;
    const size = entry.uncompressedSize;
    if (name.kind === "refused") refuse(raw, name.reason);
    else if (mode === S_IFLNK) refuse(raw, "symbolic link; not followed");
    else if (name.kind === "directory" || mode === S_IFDIR) {
      // Folders carry nothing a reader needs.
    } else if (mode !== 0 && mode !== S_IFREG) refuse(raw, "not a regular file");
    else if (entry.generalPurposeBitFlag & 1) refuse(raw, "encrypted; not supported");
    else if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
      refuse(
        raw,
        `compression method ${entry.compressionMethod} is not supported (only stored and deflate)`,
      );
    else if (table.index.has(name.path))
      refuse(raw, `duplicate member ${name.path}; the first one is used`);
    else if (
      size > limit.ratioMinBytes &&
      size / Math.max(entry.compressedSize, 1) > limit.maxRatio
    )
      refuse(
        raw,
        `inflates ${Math.round(size / Math.max(entry.compressedSize, 1))} times (over ${limit.maxRatio}): refused as a ZIP bomb`,
      );
    else if (total + size > limit.maxTotalBytes)
      refuse(raw, `the archive expands to more than ${limit.maxTotalBytes} bytes; member refused`);
    else {
      total += size;
      table.add(name.path, entry);
    }
    if (++seen >= limit.maxEntries) break;
  }
}

function zipSource(
  zipfile: yauzl.ZipFile,
  table: MemberTable,
  problems: ImportProblem[],
  maxReadBytes: number,
): OpenedArchive {
  const lookup = (path: string): number => {
    const i = table.index.get(path);
    if (i === undefined) throw new Error(`${path}: no such file in the archive`);
    return i;
  };

  /** The member's bytes, counted as they inflate (never more than `maxBytes`) and checked
   * against the CRC, which yauzl leaves to its caller. */
  async function* readMember(path: string, maxBytes: number): AsyncGenerator<Uint8Array> {
    const i = lookup(path);
    if (table.size(i) > maxBytes) throw new Error(`${path}: larger than ${maxBytes} bytes`);
    let stream: Readable;
    try {
      stream = await zipfile.openReadStreamPromise(table.entry(i));
    } catch (error) {
      throw new Error(`${path}: cannot be read (${(error as Error).message})`, { cause: error });
    }
    let count = 0;
    let crc = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        count += chunk.byteLength;
        if (count > maxBytes) throw new Error(`${path}: larger than ${maxBytes} bytes`);
        crc = zlib.crc32(chunk, crc);
        yield chunk;
      }
    } catch (error) {
      const message = (error as Error).message;
      if (message.startsWith(path)) throw error;
      throw new Error(`${path}: damaged in the archive (${message})`, { cause: error });
    } finally {
      stream.destroy();
    }
    if (crc !== table.crc(i)) throw new Error(`${path}: damaged in the archive (CRC mismatch)`);
  }

  return {
    problems,
    async *members(): AsyncIterable<ArchiveMember> {
      for (const [path, i] of table.index) yield { path, size: table.size(i) };
    },
    has: (path) => table.index.has(path),
    async read(path, maxBytes = maxReadBytes) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of readMember(path, maxBytes)) chunks.push(chunk);
      return Buffer.concat(chunks);
    },
    open: (path) => readMember(path, Number.MAX_SAFE_INTEGER),
    async close() {
      zipfile.close();
    },
  };
}
