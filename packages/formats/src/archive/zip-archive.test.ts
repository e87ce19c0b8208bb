import { execFileSync } from "node:child_process";
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { buildRawZip } from "./raw-zip";
import { openZipArchive, type ArchiveLimits, type OpenedArchive } from "./zip-archive";
import { ZipWriter } from "./zip-writer";

const dir = mkdtempSync(join(tmpdir(), "zip-archive-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;

function saveZip(bytes: Uint8Array): string {
  const path = join(dir, `raw-${fileCount++}.zip`);
  writeFileSync(path, bytes);
  return path;
}

async function writeOurZip(build: (zip: ZipWriter) => Promise<void>): Promise<string> {
  const path = join(dir, `ours-${fileCount++}.zip`);
  const zip = new ZipWriter({ mtime: new Date("2026-01-02T03:04:05Z") });
  const stored = pipeline(zip.stream, createWriteStream(path));
  await build(zip);
  await zip.finish();
  await stored;
  return path;
}

async function memberPaths(archive: OpenedArchive): Promise<string[]> {
  const paths: string[] = [];
  for await (const member of archive.members()) paths.push(member.path);
  return paths;
}

async function text(archive: OpenedArchive, path: string): Promise<string> {
  return new TextDecoder().decode(await archive.read(path));
}

describe("openZipArchive", () => {
  it("reads an archive made by Info-ZIP, deflated and stored, skipping folder entries", async () => {
    const tree = join(dir, "tree");
    mkdirSync(join(tree, "labels", "train"), { recursive: true });
    writeFileSync(join(tree, "labels", "train", "straße.txt"), "0 0.5 0.5 0.1 0.1\n".repeat(100));
    writeFileSync(join(tree, "data.yaml"), "names: [car]\n");
    for (const level of ["-6", "-0"]) {
      const path = join(dir, `info-zip${level}.zip`);
      execFileSync("zip", ["-r", "-q", level, path, "."], { cwd: tree });
      const archive = await openZipArchive(path);
      expect((await memberPaths(archive)).sort()).toEqual(["data.yaml", "labels/train/straße.txt"]);
      expect(await text(archive, "labels/train/straße.txt")).toBe(
        "0 0.5 0.5 0.1 0.1\n".repeat(100),
      );
      expect(await archive.has("labels/train")).toBe(false);
      expect(archive.problems).toEqual([]);
      await archive.close();
    }
  });

  it("refuses zip-slip, absolute, drive-letter, encrypted, special and duplicate members, and reads the rest", async () => {
    const path = saveZip(
      buildRawZip([
        { name: "../evil.txt", data: "escaped" },
        { name: "a/../../evil.txt", data: "escaped" },
        { name: "/tmp/absolute.txt", data: "absolute" },
        { name: "C:\\Windows\\evil.txt", data: "drive" },
        { name: "..\\evil.txt", data: "escaped" },
        { name: "labels\\windows.txt", data: "backslashes are separators" },
        { name: "./good.txt", data: "good", deflate: true },
        { name: "good.txt", data: "second copy" },
        { name: "secret.txt", data: "xxxxxxxxxxxx", flags: 1 },
        { name: "link", data: "/etc/passwd", mode: 0o120777 },
        { name: "fifo", data: "", mode: 0o010644 },
        { name: "folder/", data: "", mode: 0o040755 },
      ]),
    );
    const archive = await openZipArchive(path);
    expect(await memberPaths(archive)).toEqual(["labels/windows.txt", "good.txt"]);
    expect(await text(archive, "good.txt")).toBe("good");
    expect(await text(archive, "labels/windows.txt")).toBe("backslashes are separators");
    expect(archive.problems.map((p) => [p.file, p.reason])).toEqual([
      ["../evil.txt", "path leaves the archive (..)"],
      ["a/../../evil.txt", "path leaves the archive (..)"],
      ["/tmp/absolute.txt", "absolute path"],
      ["C:\\Windows\\evil.txt", "absolute path with a drive letter"],
      ["..\\evil.txt", "path leaves the archive (..)"],
      ["good.txt", "duplicate member good.txt; the first one is used"],
      ["secret.txt", "encrypted; not supported"],
      ["link", "symbolic link; not followed"],
      ["fifo", "not a regular file"],
    ]);
    await expect(archive.read("../evil.txt")).rejects.toThrow("no such file");
    await expect(archive.read("link")).rejects.toThrow("no such file");

    // An importer that extracts every member by its path stays inside its folder.
    const extractRoot = join(dir, "extract-root");
    const target = join(extractRoot, "dataset");
    for await (const member of archive.members()) {
      const out = join(target, member.path);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, await archive.read(member.path));
    }
    expect(readdirSync(extractRoot)).toEqual(["dataset"]);
    expect(readdirSync(target, { recursive: true }).sort()).toEqual([
      "good.txt",
      "labels",
      "labels/windows.txt",
    ]);
    await archive.close();
  });

  it("reports a symlink stored by `zip --symlinks` and never reads through it", async () => {
    const tree = join(dir, "with-link");
    mkdirSync(tree);
    writeFileSync(join(tree, "real.txt"), "real");
    symlinkSync("/etc/passwd", join(tree, "passwd"));
    const path = join(dir, "symlinks.zip");
    execFileSync("zip", ["-q", "--symlinks", path, "real.txt", "passwd"], { cwd: tree });
    const archive = await openZipArchive(path);
    expect(await memberPaths(archive)).toEqual(["real.txt"]);
    expect(archive.problems).toEqual([
      { file: "passwd", line: null, element: null, reason: "symbolic link; not followed" },
    ]);
    expect(await archive.has("passwd")).toBe(false);
    await archive.close();
  });

  it("refuses a bomb by its compression ratio and stops at the total size limit", async () => {
    const path = await writeOurZip(async (zip) => {
      await zip.addBuffer("bomb.bin", Buffer.alloc(50 * 1024 * 1024));
      // Highly compressible but small: fine.
      await zip.addBuffer("small-zeros.bin", Buffer.alloc(512 * 1024));
      for (const name of ["a.txt", "b.txt", "c.txt"])
        await zip.addBuffer(name, "x".repeat(300_000));
    });
    const limits: Partial<ArchiveLimits> = { maxTotalBytes: 1024 * 1024 };
    const archive = await openZipArchive(path, limits);
    expect(await memberPaths(archive)).toEqual(["small-zeros.bin", "a.txt"]);
    expect(archive.problems.map((p) => p.file)).toEqual(["bomb.bin", "b.txt", "c.txt"]);
    expect(archive.problems[0]!.reason).toMatch(
      /inflates \d+ times \(over 100\): refused as a ZIP bomb/,
    );
    expect(archive.problems[1]!.reason).toBe(
      "the archive expands to more than 1048576 bytes; member refused",
    );
    await archive.close();
  }, 30_000);

  it("counts bytes as it inflates instead of trusting the declared size", async () => {
    const real = "0 0.5 0.5 0.1 0.1\n".repeat(10_000);
    const path = saveZip(
      buildRawZip([
        { name: "liar.txt", data: real, deflate: true, declaredSize: 100 },
        { name: "honest.txt", data: real, deflate: true },
      ]),
    );
    const archive = await openZipArchive(path);
    await expect(archive.read("liar.txt")).rejects.toThrow(/liar\.txt: damaged in the archive/);
    await expect(archive.read("honest.txt", 1000)).rejects.toThrow(
      "honest.txt: larger than 1000 bytes",
    );
    expect(await text(archive, "honest.txt")).toBe(real);
    await archive.close();
  });

  it("refuses a member whose bytes do not match its CRC", async () => {
    const bytes = buildRawZip([{ name: "a.txt", data: "hello world" }]);
    bytes[30 + "a.txt".length] = "j".charCodeAt(0);
    const archive = await openZipArchive(saveZip(bytes));
    await expect(archive.read("a.txt")).rejects.toThrow(
      "a.txt: damaged in the archive (CRC mismatch)",
    );
    await archive.close();
  });

  it("says plainly when a file is not a ZIP", async () => {
    const notZip = join(dir, "notes.zip");
    writeFileSync(notZip, "just some text, not an archive\n");
    await expect(openZipArchive(notZip)).rejects.toThrow(`not a ZIP file: ${notZip}`);
    await expect(openZipArchive(saveZip(new Uint8Array(0)))).rejects.toThrow("not a ZIP file");
  });

  it("lists 100,000 tiny members in bounded memory, and stops at maxEntries when asked", async () => {
    const count = 100_000;
    const path = await writeOurZip(async (zip) => {
      // Stored: a few bytes gain nothing from deflate, and the test stays quick.
      for (let i = 0; i < count; i++)
        await zip.addBuffer(`labels/${i}.txt`, `${i}\n`, { compress: false });
    });
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const heldBytes = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    };
    const whileOpen = await (async () => {
      const archive = await openZipArchive(path);
      expect((await memberPaths(archive)).length).toBe(count);
      expect(await text(archive, "labels/99999.txt")).toBe("99999\n");
      const held = heldBytes();
      await archive.close();
      return held;
    })();
    // A path and a few numbers per member, not the parser's objects: about 100 bytes each.
    expect(whileOpen - heldBytes()).toBeLessThan(count * 250);

    const capped = await openZipArchive(path, { maxEntries: 1000 });
    expect((await memberPaths(capped)).length).toBe(1000);
    expect(capped.problems.map((p) => p.reason)).toEqual([
      "the archive has 100000 members; only the first 1000 were read",
    ]);
    await capped.close();
  }, 30_000);

  it("meets random and mutated bytes with an error or problems, never a crash or a hang", async () => {
    const valid = buildRawZip([
      { name: "a.txt", data: "0 0.5 0.5 0.1 0.1\n".repeat(50), deflate: true },
      { name: "dir/b.json", data: '{"images": []}' },
      { name: "../c.txt", data: "c" },
    ]);
    const path = join(dir, "fuzz.zip");
    const probe = async (bytes: Uint8Array) => {
      writeFileSync(path, bytes);
      let archive: OpenedArchive;
      try {
        archive = await openZipArchive(path, { maxReadBytes: 1024 * 1024 });
      } catch (error) {
        expect((error as Error).message).toMatch(/^not a ZIP file: /);
        return;
      }
      for await (const member of archive.members()) {
        await archive
          .read(member.path)
          .catch((error: Error) => expect(error).toBeInstanceOf(Error));
      }
      await archive.close();
    };
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), probe), { numRuns: 100 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        async (mutations) => {
          const bytes = Buffer.from(valid);
          for (const [at, value] of mutations) bytes[at] = value;
          await probe(bytes);
        },
      ),
      { numRuns: 400 },
    );
  }, 30_000);
});
