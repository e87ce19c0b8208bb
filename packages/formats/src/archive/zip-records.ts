// The byte layouts of ZIP records (PKWARE APPNOTE 6.3.10, sections 4.3 and 4.5): pure
// functions that encode one record into a caller's buffer and return the next position.
// No I/O and no state, so the ZIP64 paths can be tested with offsets nobody wants to write.

/** Sizes and offsets at or above this do not fit a 32-bit field: 0xFFFFFFFF is the ZIP64 marker. */
export const ZIP64_LIMIT = 0xffffffff;
/** Entry counts at or above this need the ZIP64 end records. */
export const ZIP64_ENTRY_LIMIT = 0xffff;

export const LOCAL_HEADER_SIGNATURE = 0x04034b50;
export const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
export const DATA_DESCRIPTOR_SIGNATURE = 0x08074b50;
export const END_SIGNATURE = 0x06054b50;
export const ZIP64_END_SIGNATURE = 0x06064b50;
export const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;

export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;
/** Bit 3: sizes and CRC follow the data in a data descriptor. */
export const FLAG_DATA_DESCRIPTOR = 0x0008;
/** Bit 11: the name is UTF-8. */
export const FLAG_UTF8 = 0x0800;

// Made by Unix (3) with spec 4.5, so unzip applies the mode bits in the external attributes.
const VERSION_MADE_BY = (3 << 8) | 45;
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;
// -rw-r--r-- regular file, in the high 16 bits as Info-ZIP expects.
const EXTERNAL_ATTRIBUTES = (0o100644 << 16) >>> 0;

export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
const ZIP64_END_SIZE = 56;
const ZIP64_LOCATOR_SIZE = 20;
const END_SIZE = 22;

export type DosDateTime = { time: number; date: number };

/** MS-DOS time and date from the UTC fields of `date`, so the bytes do not depend on the
 * machine's time zone. DOS dates cover 1980–2107; outside that range they are clamped. */
export function toDosDateTime(date: Date): DosDateTime {
  if (Number.isNaN(date.getTime())) throw new Error("ZIP modification time is not a valid date");
  const year = date.getUTCFullYear();
  if (year < 1980) return { time: 0, date: (1 << 5) | 1 };
  if (year > 2107) return { time: (23 << 11) | (59 << 5) | 29, date: (127 << 9) | (12 << 5) | 31 };
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

/** What the local header and the central record say about one entry. */
export type EntryFields = {
  /** The name's UTF-8 length in bytes; the name itself is passed alongside. */
  nameLength: number;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Where the entry's local header starts in the archive. */
  offset: number;
};

function writeUInt64(buffer: Buffer, value: number, position: number): number {
  buffer.writeUInt32LE(value % 0x1_0000_0000, position);
  buffer.writeUInt32LE(Math.floor(value / 0x1_0000_0000), position + 4);
  return position + 8;
}

/** Local header of an entry whose sizes are known up front (no data descriptor), or of a
 * streamed entry (flag bit 3: CRC and sizes written as zero, the descriptor follows). */
export function writeLocalHeader(
  buffer: Buffer,
  position: number,
  name: string,
  entry: EntryFields,
  dos: DosDateTime,
): number {
  if (entry.size >= ZIP64_LIMIT || entry.compressedSize >= ZIP64_LIMIT)
    throw new Error("entries with known sizes of 4 GiB or more must be streamed");
  buffer.writeUInt32LE(LOCAL_HEADER_SIGNATURE, position);
  buffer.writeUInt16LE(VERSION_DEFAULT, position + 4);
  buffer.writeUInt16LE(entry.flags, position + 6);
  buffer.writeUInt16LE(entry.method, position + 8);
  buffer.writeUInt16LE(dos.time, position + 10);
  buffer.writeUInt16LE(dos.date, position + 12);
  buffer.writeUInt32LE(entry.crc >>> 0, position + 14);
  buffer.writeUInt32LE(entry.compressedSize, position + 18);
  buffer.writeUInt32LE(entry.size, position + 22);
  buffer.writeUInt16LE(entry.nameLength, position + 26);
  buffer.writeUInt16LE(0, position + 28);
  buffer.write(name, position + LOCAL_HEADER_SIZE, entry.nameLength, "utf8");
  return position + LOCAL_HEADER_SIZE + entry.nameLength;
}

/** Whether the descriptor of a streamed entry needs 8-byte sizes. */
export function needsZip64Descriptor(size: number, compressedSize: number): boolean {
  return size >= ZIP64_LIMIT || compressedSize >= ZIP64_LIMIT;
}

export function dataDescriptorLength(size: number, compressedSize: number): number {
  return needsZip64Descriptor(size, compressedSize) ? 24 : 16;
}

/** Signature, CRC and sizes after a streamed entry's data; sizes are 8 bytes each when
 * either one does not fit 32 bits (APPNOTE 4.3.9.2), as Go's archive/zip also writes. */
export function writeDataDescriptor(
  buffer: Buffer,
  position: number,
  crc: number,
  compressedSize: number,
  size: number,
): number {
  buffer.writeUInt32LE(DATA_DESCRIPTOR_SIGNATURE, position);
  buffer.writeUInt32LE(crc >>> 0, position + 4);
  if (needsZip64Descriptor(size, compressedSize)) {
    writeUInt64(buffer, compressedSize, position + 8);
    writeUInt64(buffer, size, position + 16);
    return position + 24;
  }
  buffer.writeUInt32LE(compressedSize, position + 8);
  buffer.writeUInt32LE(size, position + 12);
  return position + 16;
}

/** Length of the ZIP64 extra field a central record needs (0 when none). */
function zip64ExtraLength(entry: EntryFields): number {
  let fields = 0;
  if (entry.size >= ZIP64_LIMIT) fields++;
  if (entry.compressedSize >= ZIP64_LIMIT) fields++;
  if (entry.offset >= ZIP64_LIMIT) fields++;
  return fields === 0 ? 0 : 4 + 8 * fields;
}

export function centralRecordLength(entry: EntryFields): number {
  return CENTRAL_HEADER_SIZE + entry.nameLength + zip64ExtraLength(entry);
}

/** Central directory record. Values that do not fit 32 bits are written as 0xFFFFFFFF and
 * carried, in APPNOTE order (size, compressed size, offset), by a ZIP64 extra field. */
export function writeCentralRecord(
  buffer: Buffer,
  position: number,
  name: string,
  entry: EntryFields,
  dos: DosDateTime,
): number {
  const extraLength = zip64ExtraLength(entry);
  buffer.writeUInt32LE(CENTRAL_HEADER_SIGNATURE, position);
  buffer.writeUInt16LE(VERSION_MADE_BY, position + 4);
  buffer.writeUInt16LE(extraLength > 0 ? VERSION_ZIP64 : VERSION_DEFAULT, position + 6);
  buffer.writeUInt16LE(entry.flags, position + 8);
  buffer.writeUInt16LE(entry.method, position + 10);
  buffer.writeUInt16LE(dos.time, position + 12);
  buffer.writeUInt16LE(dos.date, position + 14);
  buffer.writeUInt32LE(entry.crc >>> 0, position + 16);
  buffer.writeUInt32LE(Math.min(entry.compressedSize, ZIP64_LIMIT), position + 20);
  buffer.writeUInt32LE(Math.min(entry.size, ZIP64_LIMIT), position + 24);
  buffer.writeUInt16LE(entry.nameLength, position + 28);
  buffer.writeUInt16LE(extraLength, position + 30);
  buffer.writeUInt16LE(0, position + 32); // comment length
  buffer.writeUInt16LE(0, position + 34); // disk number
  buffer.writeUInt16LE(0, position + 36); // internal attributes
  buffer.writeUInt32LE(EXTERNAL_ATTRIBUTES, position + 38);
  buffer.writeUInt32LE(Math.min(entry.offset, ZIP64_LIMIT), position + 42);
  let next = position + CENTRAL_HEADER_SIZE;
  next += buffer.write(name, next, entry.nameLength, "utf8");
  if (extraLength > 0) {
    buffer.writeUInt16LE(0x0001, next);
    buffer.writeUInt16LE(extraLength - 4, next + 2);
    next += 4;
    if (entry.size >= ZIP64_LIMIT) next = writeUInt64(buffer, entry.size, next);
    if (entry.compressedSize >= ZIP64_LIMIT) next = writeUInt64(buffer, entry.compressedSize, next);
    if (entry.offset >= ZIP64_LIMIT) next = writeUInt64(buffer, entry.offset, next);
  }
  return next;
}

export type DirectoryFields = {
  entries: number;
  /** Offset of the first central record. */
  offset: number;
  /** Length of the whole central directory in bytes. */
  size: number;
};

function needsZip64End(directory: DirectoryFields): boolean {
  return (
    directory.entries >= ZIP64_ENTRY_LIMIT ||
    directory.offset >= ZIP64_LIMIT ||
    directory.size >= ZIP64_LIMIT
  );
}

export function endRecordsLength(directory: DirectoryFields): number {
  return (needsZip64End(directory) ? ZIP64_END_SIZE + ZIP64_LOCATOR_SIZE : 0) + END_SIZE;
}

/** End of central directory; preceded by the ZIP64 end record and its locator whenever the
 * entry count, the directory offset or its size overflows the classic 16/32-bit fields. */
export function writeEndRecords(
  buffer: Buffer,
  position: number,
  directory: DirectoryFields,
): number {
  let next = position;
  if (needsZip64End(directory)) {
    const zip64EndOffset = directory.offset + directory.size;
    buffer.writeUInt32LE(ZIP64_END_SIGNATURE, next);
    writeUInt64(buffer, ZIP64_END_SIZE - 12, next + 4);
    buffer.writeUInt16LE(VERSION_MADE_BY, next + 12);
    buffer.writeUInt16LE(VERSION_ZIP64, next + 14);
    buffer.writeUInt32LE(0, next + 16); // this disk
    buffer.writeUInt32LE(0, next + 20); // disk with the central directory
    writeUInt64(buffer, directory.entries, next + 24);
    writeUInt64(buffer, directory.entries, next + 32);
    writeUInt64(buffer, directory.size, next + 40);
    writeUInt64(buffer, directory.offset, next + 48);
    next += ZIP64_END_SIZE;
    buffer.writeUInt32LE(ZIP64_LOCATOR_SIGNATURE, next);
    buffer.writeUInt32LE(0, next + 4);
    writeUInt64(buffer, zip64EndOffset, next + 8);
    buffer.writeUInt32LE(1, next + 16); // total disks
    next += ZIP64_LOCATOR_SIZE;
  }
  const entries = Math.min(directory.entries, ZIP64_ENTRY_LIMIT);
  buffer.writeUInt32LE(END_SIGNATURE, next);
  buffer.writeUInt16LE(0, next + 4);
  buffer.writeUInt16LE(0, next + 6);
  buffer.writeUInt16LE(entries, next + 8);
  buffer.writeUInt16LE(entries, next + 10);
  buffer.writeUInt32LE(Math.min(directory.size, ZIP64_LIMIT), next + 12);
  buffer.writeUInt32LE(Math.min(directory.offset, ZIP64_LIMIT), next + 16);
  buffer.writeUInt16LE(0, next + 20); // comment length
  return next + END_SIZE;
}
