// Writes the ZIPs no honest tool makes — zip-slip names, symlink members, bombs, lying sizes,
// a hundred thousand entries — straight to a file, member data streamed through deflate, so
// a 200 MB bomb never exists in memory (the formats package's buildRawZip builds in memory).
// Test support only.
import { open, type FileHandle } from "node:fs/promises";
import zlib from "node:zlib";

export type HostileMember = {
  /** Written as is: may be absolute, hold `..` or backslashes. */
  name: string;
  /** The member's bytes, as one value or a stream of chunks. */
  data: string | Uint8Array | (() => Iterable<Uint8Array> | AsyncIterable<Uint8Array>);
  deflate?: boolean;
  /** Unix mode (type and permission bits); default a regular 0644 file. */
  mode?: number;
  /** Uncompressed size written into the headers instead of the real one. */
  declaredSize?: number;
};

export type WrittenZip = { bytes: number; members: number; inflated: number };

/** Chunks of `total` zero bytes (one shared buffer). */
export function* zeros(total: number, chunk = 1024 * 1024): Generator<Uint8Array> {
  const block = new Uint8Array(chunk);
  for (let left = total; left > 0; left -= chunk)
    yield left >= chunk ? block : block.subarray(0, left);
}

export async function writeHostileZip(
  path: string,
  members: Iterable<HostileMember>,
): Promise<WrittenZip> {
  const file = await open(path, "w");
  const central: Buffer[] = [];
  let offset = 0;
  let count = 0;
  let inflated = 0;
  try {
    for (const member of members) {
      const name = Buffer.from(member.name, "utf8");
      const headerAt = offset;
      // Header first with sizes unknown; rewritten in place once the data is written.
      offset += 30 + name.length;
      const { crc, size, packed } = await writeData(file, offset, member);
      offset += packed;
      inflated += size;
      const declared = member.declaredSize ?? size;
      const method = member.deflate ? 8 : 0;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x0800, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(packed, 18);
      local.writeUInt32LE(declared, 22);
      local.writeUInt16LE(name.length, 26);
      await file.write(Buffer.concat([local, name]), 0, 30 + name.length, headerAt);

      const entry = Buffer.alloc(46);
      entry.writeUInt32LE(0x02014b50, 0);
      entry.writeUInt16LE((3 << 8) | 20, 4);
      entry.writeUInt16LE(20, 6);
      entry.writeUInt16LE(0x0800, 8);
      entry.writeUInt16LE(method, 10);
      entry.writeUInt32LE(crc, 16);
      entry.writeUInt32LE(packed, 20);
      entry.writeUInt32LE(declared, 24);
      entry.writeUInt16LE(name.length, 28);
      entry.writeUInt32LE(((member.mode ?? 0o100644) << 16) >>> 0, 38);
      entry.writeUInt32LE(headerAt, 42);
      central.push(entry, name);
      count++;
    }
    const directory = Buffer.concat(central);
    const tail: Buffer[] = [directory];
    // Over 65,535 members the count lives in a ZIP64 end record (the classic one says 0xffff).
    if (count > 0xfffe) {
      const zip64 = Buffer.alloc(56);
      zip64.writeUInt32LE(0x06064b50, 0);
      zip64.writeBigUInt64LE(44n, 4);
      zip64.writeUInt16LE((3 << 8) | 45, 12);
      zip64.writeUInt16LE(45, 14);
      zip64.writeBigUInt64LE(BigInt(count), 24);
      zip64.writeBigUInt64LE(BigInt(count), 32);
      zip64.writeBigUInt64LE(BigInt(directory.length), 40);
      zip64.writeBigUInt64LE(BigInt(offset), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
      locator.writeUInt32LE(1, 16);
      tail.push(zip64, locator);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(count, 0xffff), 8);
    end.writeUInt16LE(Math.min(count, 0xffff), 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    tail.push(end);
    const bytes = Buffer.concat(tail);
    await file.write(bytes, 0, bytes.length, offset);
    return { bytes: offset + bytes.length, members: count, inflated };
  } finally {
    await file.close();
  }
}

async function writeData(file: FileHandle, at: number, member: HostileMember) {
  const source =
    typeof member.data === "function"
      ? member.data()
      : [typeof member.data === "string" ? Buffer.from(member.data, "utf8") : member.data];
  let crc = 0;
  let size = 0;
  let packed = 0;
  const put = async (chunk: Uint8Array) => {
    await file.write(chunk, 0, chunk.length, at + packed);
    packed += chunk.length;
  };
  const deflate = member.deflate ? zlib.createDeflateRaw({ level: 9 }) : null;
  const drained = deflate
    ? (async () => {
        for await (const out of deflate as AsyncIterable<Buffer>) await put(out);
      })()
    : null;
  for await (const chunk of source) {
    crc = zlib.crc32(chunk, crc);
    size += chunk.length;
    if (!deflate) await put(chunk);
    else if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once("drain", resolve));
  }
  deflate?.end();
  await drained;
  return { crc, size, packed };
}
