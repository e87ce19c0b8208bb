import { describe, expect, it } from "vitest";
import {
  centralRecordLength,
  endRecordsLength,
  toDosDateTime,
  writeCentralRecord,
  writeDataDescriptor,
  writeEndRecords,
  ZIP64_LIMIT,
  type EntryFields,
} from "./zip-records";

const dos = toDosDateTime(new Date("2026-01-02T03:04:05Z"));
const GiB = 1024 ** 3;

function readUInt64(buffer: Buffer, position: number): number {
  return buffer.readUInt32LE(position) + buffer.readUInt32LE(position + 4) * 0x1_0000_0000;
}

function encodeCentral(fields: Partial<EntryFields>): Buffer {
  const name = "images/huge.bin";
  const entry: EntryFields = {
    nameLength: name.length,
    flags: 0x0808,
    method: 0,
    crc: 0x12345678,
    compressedSize: 10,
    size: 10,
    offset: 0,
    ...fields,
  };
  const buffer = Buffer.alloc(centralRecordLength(entry));
  expect(writeCentralRecord(buffer, 0, name, entry, dos)).toBe(buffer.length);
  return buffer;
}

/** The ZIP64 extended information field of a central record, as a reader finds it. */
function zip64Extra(record: Buffer): Buffer | null {
  const nameLength = record.readUInt16LE(28);
  const extraLength = record.readUInt16LE(30);
  if (extraLength === 0) return null;
  const extra = record.subarray(46 + nameLength, 46 + nameLength + extraLength);
  expect(extra.readUInt16LE(0)).toBe(0x0001);
  expect(extra.readUInt16LE(2)).toBe(extraLength - 4);
  return extra.subarray(4);
}

describe("DOS date and time", () => {
  it("encodes the UTC fields with two-second precision", () => {
    expect(dos.date).toBe(((2026 - 1980) << 9) | (1 << 5) | 2);
    expect(dos.time).toBe((3 << 11) | (4 << 5) | 2);
  });

  it("clamps dates outside 1980–2107 instead of wrapping", () => {
    expect(toDosDateTime(new Date("1970-01-01T00:00:00Z"))).toEqual({
      time: 0,
      date: (1 << 5) | 1,
    });
    expect(toDosDateTime(new Date("2200-01-01T00:00:00Z")).date >> 9).toBe(127);
    expect(() => toDosDateTime(new Date("nope"))).toThrow(/not a valid date/);
  });
});

describe("central records", () => {
  it("carry no extra field while everything fits 32 bits", () => {
    const record = encodeCentral({
      offset: ZIP64_LIMIT - 1,
      size: ZIP64_LIMIT - 1,
      compressedSize: 5,
    });
    expect(zip64Extra(record)).toBeNull();
    expect(record.readUInt32LE(42)).toBe(ZIP64_LIMIT - 1);
    expect(record.readUInt16LE(6)).toBe(20);
  });

  it("move an offset past 4 GiB into a ZIP64 extra field", () => {
    const record = encodeCentral({ offset: 5 * GiB + 7 });
    expect(record.readUInt32LE(42)).toBe(0xffffffff);
    expect(record.readUInt32LE(24)).toBe(10);
    const extra = zip64Extra(record)!;
    expect(extra.length).toBe(8);
    expect(readUInt64(extra, 0)).toBe(5 * GiB + 7);
    expect(record.readUInt16LE(6)).toBe(45);
  });

  it("write overflowing size, compressed size and offset in APPNOTE order", () => {
    const record = encodeCentral({ size: 6 * GiB, compressedSize: 4.5 * GiB, offset: 9 * GiB });
    expect(record.readUInt32LE(20)).toBe(0xffffffff);
    expect(record.readUInt32LE(24)).toBe(0xffffffff);
    expect(record.readUInt32LE(42)).toBe(0xffffffff);
    const extra = zip64Extra(record)!;
    expect([readUInt64(extra, 0), readUInt64(extra, 8), readUInt64(extra, 16)]).toEqual([
      6 * GiB,
      4.5 * GiB,
      9 * GiB,
    ]);
  });
});

describe("data descriptors", () => {
  it("use 4-byte sizes when they fit and 8-byte sizes when they do not", () => {
    const small = Buffer.alloc(24);
    expect(writeDataDescriptor(small, 0, 1, 2, 3)).toBe(16);
    expect([small.readUInt32LE(0), small.readUInt32LE(8), small.readUInt32LE(12)]).toEqual([
      0x08074b50, 2, 3,
    ]);
    const large = Buffer.alloc(24);
    expect(writeDataDescriptor(large, 0, 1, 5 * GiB, 5 * GiB)).toBe(24);
    expect([readUInt64(large, 8), readUInt64(large, 16)]).toEqual([5 * GiB, 5 * GiB]);
  });
});

describe("end records", () => {
  function encodeEnd(directory: { entries: number; offset: number; size: number }): Buffer {
    const buffer = Buffer.alloc(endRecordsLength(directory));
    expect(writeEndRecords(buffer, 0, directory)).toBe(buffer.length);
    return buffer;
  }

  it("are the classic 22 bytes for a small archive", () => {
    const end = encodeEnd({ entries: 3, offset: 1000, size: 150 });
    expect(end.length).toBe(22);
    expect([
      end.readUInt32LE(0),
      end.readUInt16LE(10),
      end.readUInt32LE(12),
      end.readUInt32LE(16),
    ]).toEqual([0x06054b50, 3, 150, 1000]);
  });

  it("add the ZIP64 end record and locator past 65,534 entries", () => {
    const end = encodeEnd({ entries: 70_000, offset: 1000, size: 150 });
    expect(end.length).toBe(56 + 20 + 22);
    expect(end.readUInt32LE(0)).toBe(0x06064b50);
    expect(readUInt64(end, 32)).toBe(70_000);
    expect(end.readUInt32LE(56)).toBe(0x07064b50);
    // The locator points at the ZIP64 end record, which follows the central directory.
    expect(readUInt64(end, 56 + 8)).toBe(1150);
    expect(end.readUInt16LE(76 + 10)).toBe(0xffff);
  });

  it("add them when the central directory starts past 4 GiB", () => {
    const end = encodeEnd({ entries: 2, offset: 5 * GiB, size: 150 });
    expect(readUInt64(end, 48)).toBe(5 * GiB);
    expect(readUInt64(end, 56 + 8)).toBe(5 * GiB + 150);
    expect(end.readUInt32LE(76 + 16)).toBe(0xffffffff);
    expect(end.readUInt16LE(76 + 10)).toBe(2);
  });
});
