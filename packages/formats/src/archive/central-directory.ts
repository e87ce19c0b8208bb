// The central directory of a ZIP being written, and the names in it. A ZIP ends with a record
// of every member, so a writer keeps them until the end; kept in memory with a Set of name
// hashes they cost ≈150 bytes a member (a million-member archive held 140 MB more than a
// 100k one). Here one page of records stays in memory and full pages go to a temporary file,
// and names are kept as 64-bit hashes (≤ 16 bytes a member).
import { closeSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import {
  CENTRAL_HEADER_SIZE,
  centralRecordLength,
  writeCentralRecord,
  type DosDateTime,
  type EntryFields,
} from "./zip-records";

/** Records are gathered in a page of this size before the page goes to the file. */
const PAGE_SIZE = 1024 * 1024;

export class CentralDirectory {
  entries = 0;
  /** Bytes of all records so far. */
  size = 0;
  private page = Buffer.allocUnsafe(PAGE_SIZE);
  private used = 0;
  /** The temporary file full pages went to (unlinked as soon as it is opened, so nothing is
   * left behind whatever ends the process), and the length of each page in it. */
  private file: number | null = null;
  private readonly spilled: number[] = [];

  constructor(private readonly dos: DosDateTime) {}

  record(name: string, fields: EntryFields): void {
    const length = centralRecordLength(fields);
    if (this.used + length > this.page.byteLength) {
      this.spill();
      if (length > this.page.byteLength) this.page = Buffer.allocUnsafe(length);
    }
    this.used = writeCentralRecord(this.page, this.used, name, fields, this.dos);
    this.size += length;
    this.entries++;
  }

  /** Whether a member of this name was recorded, reading every record. */
  has(name: string): boolean {
    const wanted = Buffer.from(name, "utf8");
    for (const page of this.pages()) if (pageHas(page, wanted)) return true;
    return false;
  }

  /** The records in order, a page at a time, each a buffer of its own. */
  *pages(): Generator<Buffer> {
    let position = 0;
    for (const length of this.spilled) {
      const page = Buffer.allocUnsafe(length);
      readFully(this.file!, page, position);
      position += length;
      yield page;
    }
    if (this.used > 0) yield this.page.subarray(0, this.used);
  }

  /** Closes the temporary file, if there is one. */
  close(): void {
    if (this.file === null) return;
    closeSync(this.file);
    this.file = null;
  }

  private spill(): void {
    if (this.used === 0) return;
    this.file ??= openUnlinkedFile();
    const page = this.page.subarray(0, this.used);
    for (let at = 0; at < page.byteLength;) at += writeSync(this.file, page, at);
    this.spilled.push(this.used);
    this.used = 0;
  }
}

function openUnlinkedFile(): number {
  const path = join(tmpdir(), `pictograph-zip-directory-${randomUUID()}`);
  try {
    const file = openSync(path, "wx+", 0o600);
    unlinkSync(path);
    return file;
  } catch (error) {
    throw new Error(
      `cannot keep the ZIP's central directory in a temporary file in ${tmpdir()}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function readFully(file: number, buffer: Buffer, position: number): void {
  for (let at = 0; at < buffer.byteLength;) {
    const read = readSync(file, buffer, at, buffer.byteLength - at, position + at);
    if (read === 0) throw new Error("the ZIP's central directory file ended early");
    at += read;
  }
}

function pageHas(page: Buffer, wanted: Buffer): boolean {
  for (let at = 0; at < page.byteLength;) {
    const nameLength = page.readUInt16LE(at + 28);
    const start = at + CENTRAL_HEADER_SIZE;
    if (
      nameLength === wanted.byteLength &&
      page.compare(wanted, 0, nameLength, start, start + nameLength) === 0
    )
      return true;
    at = start + nameLength + page.readUInt16LE(at + 30) + page.readUInt16LE(at + 32);
  }
  return false;
}

/** A set of names as 64-bit hashes (two unrelated 32-bit hashes: FNV-1a, whose low bits
 * depend only on the low bits of the input, and a multiply-shift hash that mixes high bits
 * down) in an open-addressing table of 32-bit pairs. */
export class NameHashes {
  /** Pairs (high, low); (0, 0) marks an empty slot, so `low` is never 0. */
  private table = new Uint32Array(2 * 1024);
  private count = 0;

  /** Adds the name; false when it may have been added before: always when it was, and one
   * time in 2^63 when it was not, so the caller settles a false by comparing names. */
  add(name: string): boolean {
    const high = fnv1a(name);
    const low = (multiplyShift(name) | 1) >>> 0;
    const slot = this.slotOf(high, low);
    if (this.table[slot + 1] !== 0) return false;
    this.table[slot] = high;
    this.table[slot + 1] = low;
    // At most half full, so that probes stay short.
    if (++this.count * 4 > this.table.length) this.grow();
    return true;
  }

  /** The slot holding (high, low), or the empty slot where it would go. */
  private slotOf(high: number, low: number): number {
    const mask = this.table.length / 2 - 1;
    for (let i = (high ^ low) & mask; ; i = (i + 1) & mask) {
      const at = 2 * i;
      const stored = this.table[at + 1]!;
      if (stored === 0 || (stored === low && this.table[at] === high)) return at;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    for (let at = 0; at < old.length; at += 2) {
      if (old[at + 1] === 0) continue;
      const slot = this.slotOf(old[at]!, old[at + 1]!);
      this.table[slot] = old[at]!;
      this.table[slot + 1] = old[at + 1]!;
    }
  }
}

/** FNV-1a over the name's UTF-16 code units, as an unsigned 32-bit integer. */
export function fnv1a(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** MurmurHash2's multiplier with a shift after each step, and a final avalanche. */
function multiplyShift(name: string): number {
  let hash = 0x9747b28c ^ name.length;
  for (let i = 0; i < name.length; i++) {
    hash = Math.imul(hash ^ name.charCodeAt(i), 0x5bd1e995);
    hash ^= hash >>> 13;
  }
  hash = Math.imul(hash ^ (hash >>> 15), 0x5bd1e995);
  return (hash ^ (hash >>> 16)) >>> 0;
}
