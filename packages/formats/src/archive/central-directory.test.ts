import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { CentralDirectory, NameHashes } from "./central-directory";
import { CENTRAL_HEADER_SIZE, toDosDateTime, type EntryFields } from "./zip-records";

const dos = toDosDateTime(new Date("2026-01-02T03:04:05Z"));

function fields(name: string, offset: number): EntryFields {
  const nameLength = Buffer.byteLength(name);
  return { nameLength, flags: 0, method: 0, crc: 0, compressedSize: 1, size: 1, offset };
}

/** The names in a run of central records, in order. */
function namesIn(records: Buffer): string[] {
  const names: string[] = [];
  for (let at = 0; at < records.byteLength;) {
    const nameLength = records.readUInt16LE(at + 28);
    const start = at + CENTRAL_HEADER_SIZE;
    names.push(records.toString("utf8", start, start + nameLength));
    at = start + nameLength + records.readUInt16LE(at + 30) + records.readUInt16LE(at + 32);
  }
  return names;
}

const spillFiles = () => readdirSync(tmpdir()).filter((f) => f.startsWith("pictograph-zip-"));

describe("CentralDirectory", () => {
  it("keeps every record in order across the pages it moved to its temporary file", () => {
    const before = spillFiles();
    const directory = new CentralDirectory(dos);
    const names = Array.from({ length: 50_000 }, (_, i) => `Annotations/batch${i % 7}/é${i}.xml`);
    names.forEach((name, i) => directory.record(name, fields(name, i * 100)));
    // Far more than the one page it keeps in memory, and its file is already unlinked.
    expect(directory.size).toBeGreaterThan(3 * 1024 * 1024);
    expect(spillFiles()).toEqual(before);

    const pages = [...directory.pages()];
    expect(pages.length).toBeGreaterThan(3);
    const records = Buffer.concat(pages);
    expect(records.byteLength).toBe(directory.size);
    expect(namesIn(records)).toEqual(names);
    expect(directory.entries).toBe(names.length);

    for (const name of [names[0]!, names[12_345]!, names.at(-1)!])
      expect(directory.has(name), name).toBe(true);
    for (const name of ["Annotations/batch0/é1.xm", "annotations/batch0/é0.xml", "x"])
      expect(directory.has(name), name).toBe(false);
    directory.close();
    expect(() => [...directory.pages()]).toThrow();
  });

  it("never touches the disk for a directory that fits one page", () => {
    const directory = new CentralDirectory(dos);
    directory.record("a.txt", fields("a.txt", 0));
    expect(namesIn(Buffer.concat([...directory.pages()]))).toEqual(["a.txt"]);
    directory.close();
    // No file to close: the page is still readable.
    expect(directory.has("a.txt")).toBe(true);
  });
});

describe("NameHashes", () => {
  it("says whether a name may have been added, through many resizes", () => {
    const names = new NameHashes();
    const count = 300_000;
    let added = 0;
    for (let i = 0; i < count; i++) if (names.add(`labels/train/${i}.txt`)) added++;
    expect(added).toBe(count);
    for (let i = 0; i < count; i += 997) expect(names.add(`labels/train/${i}.txt`)).toBe(false);
    expect(names.add("labels/train/-1.txt")).toBe(true);
  });
});
