// A ZIP read front to back as it streams in, by its local headers: no seeking, so it reads
// a download while it arrives. Handles stored and deflated members, data descriptors (with
// or without their signature, 32- or 64-bit sizes) and ZIP64 local sizes. Checks every
// member's CRC-32. Keeps one member in memory when asked for it, otherwise none.
import zlib from "node:zlib";
import { PictographError } from "../core/errors";

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END = 0x06064b50;
const DESCRIPTOR = 0x08074b50;
const DESCRIPTOR_BYTES = Buffer.from([0x50, 0x4b, 0x07, 0x08]);
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const U32_MAX = 0xffffffff;

export type ZipMember = { name: string; data: Buffer };

export type ZipReadOptions = {
  /** Whether to keep a member's bytes; the others are read past. */
  keep: (name: string) => boolean;
  /** A kept member larger than this is an error (default 256 MiB). */
  maxMemberBytes?: number;
};

/** The kept members of the ZIP in `chunks`, in archive order. */
export async function* readZipMembers(
  chunks: AsyncIterable<Uint8Array>,
  options: ZipReadOptions,
): AsyncGenerator<ZipMember, void, undefined> {
  const reader = new ByteReader(chunks[Symbol.asyncIterator]());
  const maxBytes = options.maxMemberBytes ?? 256 * 1024 * 1024;
  try {
    for (;;) {
      const signature = await reader.peekUInt32();
      if (signature === null)
        throw new PictographError("not a complete ZIP: it ends before its central directory");
      if (
        signature === CENTRAL_HEADER ||
        signature === END_OF_CENTRAL_DIRECTORY ||
        signature === ZIP64_END
      )
        return;
      if (signature !== LOCAL_HEADER)
        throw new PictographError(
          reader.position === 0
            ? "not a ZIP file"
            : `not a valid ZIP: unexpected bytes at offset ${reader.position}`,
        );
      const header = await readLocalHeader(reader);
      const keep = options.keep(header.name);
      const parts: Buffer[] = [];
      let kept = 0;
      const onData = (chunk: Buffer) => {
        if (!keep) return;
        kept += chunk.byteLength;
        if (kept > maxBytes)
          throw new PictographError(`ZIP member ${header.name} is larger than ${maxBytes} bytes`);
        parts.push(chunk);
      };
      await readMemberData(reader, header, onData);
      if (keep) yield { name: header.name, data: Buffer.concat(parts) };
    }
  } finally {
    await reader.close();
  }
}

type LocalHeader = {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  zip64: boolean;
};

async function readLocalHeader(reader: ByteReader): Promise<LocalHeader> {
  const fixed = await reader.read(30);
  const flags = fixed.readUInt16LE(6);
  const method = fixed.readUInt16LE(8);
  const nameLength = fixed.readUInt16LE(26);
  const extraLength = fixed.readUInt16LE(28);
  const nameBytes = await reader.read(nameLength);
  const extra = await reader.read(extraLength);
  const name = nameBytes.toString("utf8");
  if (flags & FLAG_ENCRYPTED) throw new PictographError(`ZIP member ${name} is encrypted`);
  if (method !== METHOD_STORED && method !== METHOD_DEFLATED)
    throw new PictographError(
      `ZIP member ${name} uses compression method ${method}; only stored and deflated are read`,
    );
  let compressedSize = fixed.readUInt32LE(18);
  let size = fixed.readUInt32LE(22);
  // ZIP64 extended information (APPNOTE 4.5.3): the 8-byte sizes whose 4-byte field is full.
  let zip64 = false;
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      zip64 = true;
      let field = at + 4;
      if (size === U32_MAX && field + 8 <= at + 4 + length) {
        size = readUInt64(extra, field);
        field += 8;
      }
      if (compressedSize === U32_MAX && field + 8 <= at + 4 + length)
        compressedSize = readUInt64(extra, field);
    }
    at += 4 + length;
  }
  return { name, flags, method, crc: fixed.readUInt32LE(14), compressedSize, size, zip64 };
}

async function readMemberData(
  reader: ByteReader,
  header: LocalHeader,
  onData: (chunk: Buffer) => void,
) {
  let crc = 0;
  let size = 0;
  const output = (chunk: Buffer) => {
    crc = zlib.crc32(chunk, crc);
    size += chunk.byteLength;
    onData(chunk);
  };
  if (!(header.flags & FLAG_DESCRIPTOR)) {
    const compressed = reader.take(header.compressedSize);
    if (header.method === METHOD_STORED) for await (const chunk of compressed) output(chunk);
    else await inflate(compressed, output, header.name);
    if (!compressed.finished()) throw new PictographError(`ZIP member ${header.name} is cut short`);
    checkMember(header.name, { crc, size }, { crc: header.crc, size: header.size });
    return;
  }
  if (header.method === METHOD_DEFLATED) {
    // Deflate marks its own end; whatever the inflater did not consume belongs to what follows.
    const compressedSize = await inflate(reader.rest(), output, header.name);
    const descriptor = await readDescriptor(reader, header.zip64 || compressedSize >= U32_MAX);
    if (descriptor.compressedSize !== compressedSize)
      throw new PictographError(
        `ZIP member ${header.name}: its data descriptor gives the wrong compressed size`,
      );
    checkMember(header.name, { crc, size }, descriptor);
    return;
  }
  await readStoredUntilDescriptor(reader, output, header.name, header.zip64);
}

function checkMember(
  name: string,
  actual: { crc: number; size: number },
  expected: { crc: number; size: number },
) {
  if (actual.size !== expected.size)
    throw new PictographError(
      `ZIP member ${name} has ${actual.size} bytes where the ZIP says ${expected.size}`,
    );
  if (actual.crc >>> 0 !== expected.crc >>> 0)
    throw new PictographError(`ZIP member ${name} is corrupt (CRC-32 mismatch)`);
}

async function readDescriptor(reader: ByteReader, wide: boolean) {
  if ((await reader.peekUInt32()) === DESCRIPTOR) await reader.read(4);
  const fields = await reader.read(wide ? 20 : 12);
  return wide
    ? {
        crc: fields.readUInt32LE(0),
        compressedSize: readUInt64(fields, 4),
        size: readUInt64(fields, 12),
      }
    : {
        crc: fields.readUInt32LE(0),
        compressedSize: fields.readUInt32LE(4),
        size: fields.readUInt32LE(8),
      };
}

/** A stored member of unknown length ends at the first data descriptor whose CRC and sizes
 * match the bytes before it; a look-alike inside the data fails that check. */
async function readStoredUntilDescriptor(
  reader: ByteReader,
  output: (chunk: Buffer) => void,
  name: string,
  wide: boolean,
) {
  const LOOKAHEAD = 24; // the longest descriptor: signature, CRC, two 8-byte sizes
  let crc = 0;
  let size = 0;
  let pending = Buffer.alloc(0);
  for (;;) {
    const last = pending.length - LOOKAHEAD;
    for (
      let at = pending.indexOf(DESCRIPTOR_BYTES);
      at >= 0 && at <= last;
      at = pending.indexOf(DESCRIPTOR_BYTES, at + 1)
    ) {
      const dataCrc = zlib.crc32(pending.subarray(0, at), crc) >>> 0;
      const length = descriptorLength(pending, at, dataCrc, size + at, wide);
      if (length === 0) continue;
      if (at > 0) output(pending.subarray(0, at));
      reader.unshift(pending.subarray(at + length));
      return;
    }
    if (last >= 0) {
      const settled = pending.subarray(0, last + 1);
      crc = zlib.crc32(settled, crc);
      size += settled.byteLength;
      output(settled);
      pending = pending.subarray(last + 1);
    }
    const next = await reader.next();
    if (!next) throw new PictographError(`ZIP member ${name} is cut short`);
    pending = Buffer.concat([pending, next]);
  }
}

/** The length of the descriptor at `at` if it describes `size` bytes with `crc`, else 0.
 * `wide`: the local header had a ZIP64 field, so the sizes are 8 bytes (APPNOTE 4.3.9.2). */
function descriptorLength(
  buffer: Buffer,
  at: number,
  crc: number,
  size: number,
  wide: boolean,
): number {
  if (buffer.readUInt32LE(at + 4) !== crc) return 0;
  const narrow = () =>
    buffer.readUInt32LE(at + 8) === size && buffer.readUInt32LE(at + 12) === size;
  const long = () => readUInt64(buffer, at + 8) === size && readUInt64(buffer, at + 16) === size;
  if (wide) return long() ? 24 : 0;
  // Without a ZIP64 field, 8-byte sizes appear only when they outgrow 4 bytes (Go, ours).
  return size < U32_MAX ? (narrow() ? 16 : 0) : long() ? 24 : 0;
}

/** Inflates raw deflate data from `input` until the deflate stream ends; returns how many
 * compressed bytes it used and hands back any it did not. */
async function inflate(
  input: ChunkSource,
  output: (chunk: Buffer) => void,
  name: string,
): Promise<number> {
  const inflater = zlib.createInflateRaw();
  // Set by the stream's events; a holder, as TypeScript does not follow callbacks.
  const state: { failure: Error | null; ended: boolean } = { failure: null, ended: false };
  let exhausted = false;
  const settled = new Promise<void>((resolve) => {
    inflater.on("end", () => {
      state.ended = true;
      resolve();
    });
    inflater.on("close", resolve);
  });
  inflater.on("error", (error) => (state.failure ??= error));
  inflater.on("data", (chunk: Buffer) => {
    try {
      output(chunk);
    } catch (error) {
      state.failure ??= error as Error;
      inflater.destroy();
    }
  });
  let used = 0;
  try {
    for (;;) {
      const chunk = await input.next();
      if (!chunk) {
        exhausted = true;
        inflater.end();
        break;
      }
      const before = inflater.bytesWritten;
      await new Promise<void>((resolve) => inflater.write(chunk, () => resolve()));
      if (state.failure) break;
      const consumed = inflater.bytesWritten - before;
      used += consumed;
      if (consumed < chunk.byteLength) {
        input.unshift(chunk.subarray(consumed));
        inflater.end();
        break;
      }
      if (state.ended) break;
    }
    await settled;
  } finally {
    inflater.destroy();
  }
  if (state.failure instanceof PictographError) throw state.failure;
  if (exhausted && !state.ended) throw new PictographError(`ZIP member ${name} is cut short`);
  if (state.failure)
    throw new PictographError(`ZIP member ${name} is corrupt: ${state.failure.message}`);
  if (!state.ended) throw new PictographError(`ZIP member ${name} is cut short`);
  return used;
}

function readUInt64(buffer: Buffer, at: number): number {
  return buffer.readUInt32LE(at) + buffer.readUInt32LE(at + 4) * 0x1_0000_0000;
}

type ChunkSource = { next(): Promise<Buffer | null>; unshift(chunk: Buffer): void };

/** Pulls chunks from the source on demand, with room to put unused bytes back. */
class ByteReader implements ChunkSource {
  private buffered: Buffer[] = [];
  /** Bytes handed out so far: the offset in the archive of what comes next. */
  position = 0;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  async next(): Promise<Buffer | null> {
    const chunk = this.buffered.shift() ?? (await this.pull());
    if (!chunk) return null;
    this.position += chunk.byteLength;
    return chunk;
  }

  unshift(chunk: Buffer): void {
    if (chunk.byteLength === 0) return;
    this.buffered.unshift(chunk);
    this.position -= chunk.byteLength;
  }

  /** Exactly `length` bytes, or an error when the archive ends first. */
  async read(length: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < length) {
      const chunk = await this.next();
      if (!chunk)
        throw new PictographError("not a complete ZIP: it ends in the middle of a record");
      const wanted = Math.min(chunk.byteLength, length - have);
      parts.push(chunk.subarray(0, wanted));
      this.unshift(chunk.subarray(wanted));
      have += wanted;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
  }

  /** The next 4 bytes as a number, left in place; null when fewer remain. */
  async peekUInt32(): Promise<number | null> {
    try {
      const bytes = await this.read(4);
      this.unshift(bytes);
      return bytes.readUInt32LE(0);
    } catch {
      return null;
    }
  }

  /** The next `length` bytes as chunks. */
  take(length: number): ChunkSource & AsyncIterable<Buffer> & { finished(): boolean } {
    let left = length;
    const next = async (): Promise<Buffer | null> => {
      if (left === 0) return null;
      const chunk = await this.next();
      if (!chunk) return null;
      const part = chunk.subarray(0, Math.min(chunk.byteLength, left));
      this.unshift(chunk.subarray(part.byteLength));
      left -= part.byteLength;
      return part;
    };
    return {
      next,
      unshift: (chunk: Buffer) => {
        left += chunk.byteLength;
        this.unshift(chunk);
      },
      finished: () => left === 0,
      async *[Symbol.asyncIterator]() {
        for (let chunk = await next(); chunk; chunk = await next()) yield chunk;
      },
    };
  }

  /** Everything that follows, as chunks. */
  rest(): ChunkSource {
    return { next: () => this.next(), unshift: (chunk) => this.unshift(chunk) };
  }

  async close(): Promise<void> {
    await this.source.return?.();
  }

  private async pull(): Promise<Buffer | null> {
    const result = await this.source.next();
    if (result.done) return null;
    const value = result.value;
    return Buffer.isBuffer(value)
      ? value
      : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
}
