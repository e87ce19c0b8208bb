// Builds ZIP bytes member by member with any name, attributes or declared size, so tests can
// produce the hostile archives (zip-slip, symlinks, lying sizes) no honest writer makes.
// Test support only: nothing in the product builds ZIPs this way.
import zlib from "node:zlib";

export type RawMember = {
  /** Written as is: may be absolute, contain `..` or backslashes. */
  name: string;
  data: string | Uint8Array;
  deflate?: boolean;
  /** Unix mode (type and permission bits); default a regular 0644 file. */
  mode?: number;
  /** General-purpose flags added to the UTF-8 flag (1 = encrypted). */
  flags?: number;
  /** Uncompressed size written into the headers instead of the real one. */
  declaredSize?: number;
};

export function buildRawZip(members: RawMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const name = Buffer.from(member.name, "utf8");
    const data =
      typeof member.data === "string" ? Buffer.from(member.data, "utf8") : Buffer.from(member.data);
    const packed = member.deflate ? zlib.deflateRawSync(data) : data;
    // Traditional encryption puts a 12-byte header before the data.
    const body = (member.flags ?? 0) & 1 ? Buffer.concat([Buffer.alloc(12, 0xaa), packed]) : packed;
    const size = member.declaredSize ?? data.length;
    const flags = 0x0800 | (member.flags ?? 0);
    const method = member.deflate ? 8 : 0;
    const crc = zlib.crc32(data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((member.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
