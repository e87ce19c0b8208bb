// The streaming ZIP reader on archives written by Info-ZIP's `zip` (another writer than
// ours), in every layout it can produce, fed in chunks of every size.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readZipMembers } from "./zip-stream";

let dir: string;
const files: Record<string, Buffer> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pictograph-zip-"));
  files["text.json"] = Buffer.from(JSON.stringify({ words: "compressible ".repeat(2000) }));
  files["random.bin"] = randomBytes(70_000);
  // Bytes that look like a data descriptor's signature, and one with a plausible CRC after it.
  files["lookalike.bin"] = Buffer.concat([
    randomBytes(1000),
    Buffer.from("PK\x07\x08"),
    randomBytes(5000),
  ]);
  files["empty.txt"] = Buffer.alloc(0);
  files["deep/nested/é.txt"] = Buffer.from("unicode name");
  for (const [name, data] of Object.entries(files)) {
    execFileSync("mkdir", ["-p", join(dir, "in", name, "..")]);
    await writeFile(join(dir, "in", name), data);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `zip <flags>` of every file, as bytes. */
function zipWith(flags: string[], output: string): Promise<Buffer> {
  execFileSync("zip", ["-q", "-r", ...flags, join(dir, output), ...Object.keys(files)], {
    cwd: join(dir, "in"),
  });
  return readFile(join(dir, output));
}

async function* inChunks(bytes: Buffer, size: number) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function readAll(
  bytes: Buffer,
  chunkSize: number,
  keep: (name: string) => boolean = () => true,
) {
  const out: Record<string, Buffer> = {};
  for await (const member of readZipMembers(inChunks(bytes, chunkSize), { keep }))
    out[member.name] = member.data;
  return out;
}

const layouts: [string, string[]][] = [
  ["deflated, sizes in the local headers", []],
  ["stored, sizes in the local headers", ["-0"]],
  ["deflated, with data descriptors", ["-fd"]],
  ["stored, with data descriptors", ["-0", "-fd"]],
  ["ZIP64 records, deflated with descriptors", ["-fz", "-fd"]],
  ["ZIP64 records, stored with descriptors", ["-fz", "-0", "-fd"]],
];

describe("readZipMembers", () => {
  it.each(layouts)("reads every member exactly: %s", async (_, flags) => {
    const zip = await zipWith(flags, `${flags.join("") || "plain"}.zip`);
    // Tiny chunks split every header and descriptor; large ones hold many members.
    for (const chunkSize of [5, 4096, 1 << 20]) {
      const members = await readAll(zip, chunkSize);
      expect(Object.keys(members).sort(), `chunks of ${chunkSize}`).toEqual(
        Object.keys(files).sort(),
      );
      for (const [name, data] of Object.entries(files))
        expect(members[name]!.equals(data), `${name} in chunks of ${chunkSize}`).toBe(true);
    }
  });

  it("reads past the members it does not keep", async () => {
    const zip = await zipWith(["-0", "-fd"], "skip.zip");
    const members = await readAll(zip, 1000, (name) => name.endsWith(".txt"));
    expect(Object.keys(members).sort()).toEqual(["deep/nested/é.txt", "empty.txt"]);
  });

  it("says a damaged member is corrupt", async () => {
    const zip = await zipWith(["-0"], "corrupt.zip");
    const at = zip.indexOf(files["random.bin"]!.subarray(0, 32)) + 100;
    zip[at] = zip[at]! ^ 0xff;
    await expect(readAll(zip, 4096)).rejects.toThrow(
      "ZIP member random.bin is corrupt (CRC-32 mismatch)",
    );
  });

  it("says a cut-off archive is incomplete", async () => {
    const zip = await zipWith(["-fd"], "cut.zip");
    await expect(readAll(zip.subarray(0, zip.length / 2), 4096)).rejects.toThrow(
      /cut short|not a complete ZIP/,
    );
  });

  it("says when the bytes are not a ZIP at all", async () => {
    await expect(readAll(Buffer.from("%PDF-1.7 not a zip"), 4096)).rejects.toThrow(
      "not a ZIP file",
    );
  });

  it("refuses a kept member over the size limit", async () => {
    const zip = await zipWith([], "limit.zip");
    const read = async () => {
      for await (const _ of readZipMembers(inChunks(zip, 65536), {
        keep: () => true,
        maxMemberBytes: 50_000,
      }));
    };
    await expect(read()).rejects.toThrow(/ZIP member random\.bin is larger than 50000 bytes/);
  });
});
