import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  createWriteStream,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readFileSync,
  writeSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { openZipArchive } from "./zip-archive";
import { fnv1a } from "./central-directory";
import { ZipWriter, type ZipWriterOptions } from "./zip-writer";

const dir = mkdtempSync(join(tmpdir(), "zip-writer-"));
// Removed without blocking, retrying past ENOTEMPTY: a file operation still in flight when the
// last test ends (CI once saw one) then finishes before the next try.
afterAll(() => rm(dir, { recursive: true, force: true, maxRetries: 10 }));

const mtime = new Date("2026-01-02T03:04:05Z");
let fileCount = 0;

/** Runs `build` against a writer whose stream goes to a new file; returns the file's path. */
async function writeZip(
  build: (zip: ZipWriter) => Promise<void>,
  options: Partial<ZipWriterOptions> = {},
): Promise<string> {
  const path = join(dir, `archive-${fileCount++}.zip`);
  const zip = new ZipWriter({ mtime, ...options });
  const stored = pipeline(zip.stream, createWriteStream(path));
  await build(zip);
  await zip.finish();
  await stored;
  return path;
}

function unzip(...args: string[]): string {
  return execFileSync("unzip", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/** Mode, compression method and name of each member, as `zipinfo` lists them. */
function zipinfoListing(path: string): { mode: string; method: string; name: string }[] {
  return execFileSync("zipinfo", [path], { encoding: "utf8" })
    .split("\n")
    .filter((line) => /^[-d]r/.test(line))
    .map((line) => {
      const fields = line.split(/\s+/);
      return { mode: fields[0]!, method: fields[5]!, name: fields.slice(8).join(" ") };
    });
}

/** Every chunk `zip` hands its stream, as handed; `consumed` settles as the stream does. */
function collectOutput(zip: ZipWriter): { chunks: Buffer[]; consumed: Promise<void> } {
  const chunks: Buffer[] = [];
  const consumed = pipeline(
    zip.stream,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    }),
  );
  return { chunks, consumed };
}

async function* chunksOf(...chunks: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  yield* chunks;
}

const jpegLike = randomBytes(300_000);
const incompressible = randomBytes(2000);
const largeText = "0 0.5 0.5 0.25 0.25\n".repeat(20_000);

/** `length` characters of words drawn from a small vocabulary by a generator seeded with `seed`. */
function wordyText(length: number, seed: number): string {
  const words = ["car", "person", "0.5", "0.25", "box", "truck", "12", "7", "\n", " "];
  let text = "";
  for (let state = seed; text.length < length;) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    text += words[state % words.length];
  }
  return text.slice(0, length);
}

async function writeMixed(zip: ZipWriter): Promise<void> {
  await zip.addBuffer("README.txt", "Exported by Pictograph.\n".repeat(50));
  await zip.addBuffer("labels/train/straße ü.txt", "0 0.5 0.5 0.1 0.1\n");
  await zip.addBuffer("labels/empty.txt", "");
  await zip.addBuffer("noise.bin", incompressible);
  await zip.addBuffer("labels/large.txt", largeText);
  await zip.addStream(
    "images/a.jpg",
    Readable.from([jpegLike.subarray(0, 100_000), jpegLike.subarray(100_000)]),
  );
  await zip.addStream(
    "annotations.json",
    chunksOf('{"images":[', ...Array.from({ length: 5000 }, (_, i) => `${i},`), "0]}"),
  );
}

describe("ZipWriter", () => {
  it("writes an archive that Info-ZIP tests clean and our reader reads back byte for byte", async () => {
    const path = await writeZip(writeMixed);
    expect(unzip("-t", path)).toContain("No errors detected");

    // Images are stored as they are; text is deflated; deflate that does not help is skipped.
    expect(zipinfoListing(path)).toEqual([
      { mode: "-rw-r--r--", method: "defN", name: "README.txt" },
      { mode: "-rw-r--r--", method: "defN", name: "labels/train/straße ü.txt" },
      { mode: "-rw-r--r--", method: "stor", name: "labels/empty.txt" },
      { mode: "-rw-r--r--", method: "stor", name: "noise.bin" },
      { mode: "-rw-r--r--", method: "defN", name: "labels/large.txt" },
      { mode: "-rw-r--r--", method: "stor", name: "images/a.jpg" },
      { mode: "-rw-r--r--", method: "defN", name: "annotations.json" },
    ]);

    const archive = await openZipArchive(path);
    expect(archive.problems).toEqual([]);
    const text = async (member: string) => new TextDecoder().decode(await archive.read(member));
    expect(await text("labels/train/straße ü.txt")).toBe("0 0.5 0.5 0.1 0.1\n");
    expect(await text("labels/empty.txt")).toBe("");
    expect(await text("labels/large.txt")).toBe(largeText);
    expect(Buffer.from(await archive.read("images/a.jpg")).equals(jpegLike)).toBe(true);
    expect(Buffer.from(await archive.read("noise.bin")).equals(incompressible)).toBe(true);
    expect(JSON.parse(await text("annotations.json")).images).toHaveLength(5001);
    await archive.close();
  });

  it("gives the same bytes for the same entries and time, whatever the thread count", async () => {
    const digest = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
    // Label files from 20 bytes to 14 KB: stored, and deflated with every window size the pool
    // keeps a stream for, so the pool's reused streams must match deflateRawSync on this thread.
    const many = async (zip: ZipWriter) => {
      await writeMixed(zip);
      for (let i = 0; i < 600; i++)
        await zip.addBuffer(
          `labels/${i}.txt`,
          `${i % 7} 0.5 0.5 0.1 0.${i}\n`.repeat(1 + ((i * 37) % 700)),
        );
    };
    const first = await writeZip(many);
    const methods = zipinfoListing(first).filter((member) => member.name.startsWith("labels/"));
    expect(new Set(methods.map((member) => member.method))).toEqual(new Set(["stor", "defN"]));
    const again = await writeZip(many, { deflateThreads: 2 });
    const inline = await writeZip(many, { deflateThreads: 0 });
    expect(digest(again)).toBe(digest(first));
    expect(digest(inline)).toBe(digest(first));
    const laterTime = await writeZip(many, { mtime: new Date("2026-06-01T00:00:00Z") });
    expect(digest(laterTime)).not.toBe(digest(first));
  });

  it("deflates each pooled member as a fresh zlib stream would, whatever the members before it", async () => {
    // The pool reuses zlib streams; deflateRawSync (every member when there are no threads)
    // sets one up per member. Lengths in any order, from a few bytes to several windows' worth,
    // of text with short repeats, where deflate has choices to make between matches.
    const member = fc.record({
      length: fc.integer({ min: 1, max: 20_000 }),
      seed: fc.integer({ min: 1, max: 1000 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(member, { minLength: 1, maxLength: 80 }), async (members) => {
        const write = async (zip: ZipWriter) => {
          // Past the members deflated inline before a pool starts.
          for (let i = 0; i < 64; i++) await zip.addBuffer(`first/${i}.txt`, `${i}`);
          for (const [i, { length, seed }] of members.entries())
            await zip.addBuffer(`m/${i}.txt`, wordyText(length, seed));
        };
        const pooled = readFileSync(await writeZip(write));
        const inline = readFileSync(await writeZip(write, { deflateThreads: 0 }));
        expect(pooled.equals(inline)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it("keeps every byte of members batched for the pool, stored when deflate cannot shrink them", async () => {
    // Past the first members, which are deflated inline: text (multi-byte too) and bytes
    // written into the batches' buffers, and random bytes that must come back stored.
    const members = Array.from({ length: 600 }, (_, i) => {
      if (i % 3 === 0) return { name: `bin/${i}.bin`, data: randomBytes(300 + i) };
      const text = `straße ${i} € `.repeat(4 + (i % 40));
      return { name: `text/${i}.txt`, data: i % 3 === 1 ? text : Buffer.from(text) };
    });
    const many = async (zip: ZipWriter) => {
      for (const { name, data } of members) await zip.addBuffer(name, data);
    };
    const pooled = await writeZip(many);
    const inline = await writeZip(many, { deflateThreads: 0 });
    expect(readFileSync(pooled).equals(readFileSync(inline))).toBe(true);
    expect(unzip("-t", pooled)).toContain("No errors detected");
    const methods = new Map(zipinfoListing(pooled).map((m) => [m.name, m.method]));
    const archive = await openZipArchive(pooled);
    for (const { name, data } of members) {
      expect(methods.get(name)).toBe(name.endsWith(".bin") ? "stor" : "defN");
      expect(Buffer.from(await archive.read(name)).equals(Buffer.from(data))).toBe(true);
    }
    await archive.close();
  });

  it("stores everything at level 0 and still reads back", async () => {
    const path = await writeZip(writeMixed, { level: 0 });
    expect(new Set(zipinfoListing(path).map((member) => member.method))).toEqual(new Set(["stor"]));
    expect(unzip("-t", path)).toContain("No errors detected");
  });

  it("switches to ZIP64 end records past 65,535 entries, as unzip and zipinfo confirm", async () => {
    const count = 66_000;
    const path = await writeZip(async (zip) => {
      for (let i = 0; i < count; i++)
        await zip.addBuffer(`labels/${i}.txt`, `${i % 80} 0.5 0.5 0.1 0.1\n`);
    });
    expect(unzip("-tq", path)).toContain("No errors detected");
    const summary = execFileSync("zipinfo", ["-h", path], { encoding: "utf8" });
    expect(summary).toContain(`number of entries: ${count}`);
    expect(unzip("-p", path, "labels/65999.txt")).toBe("79 0.5 0.5 0.1 0.1\n");
    const archive = await openZipArchive(path);
    let members = 0;
    for await (const _ of archive.members()) members++;
    expect(members).toBe(count);
    await archive.close();
  }, 30_000);

  it("writes ZIP64 sizes and offsets around a streamed entry of more than 4 GiB", async () => {
    // The 4 GiB of zeros are skipped on disk (a sparse file), so only the CRC costs time.
    const zeros = Buffer.alloc(1024 * 1024);
    const chunks = 4097;
    const path = join(dir, "huge.zip");
    const fd = openSync(path, "w");
    let position = 0;
    const sparse = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (!chunk.equals(zeros)) writeSync(fd, chunk, 0, chunk.length, position);
        position += chunk.length;
        done();
      },
    });
    const zip = new ZipWriter({ mtime });
    const stored = pipeline(zip.stream, sparse);
    await zip.addBuffer("before.txt", "before\n");
    await zip.addStream(
      "zeros.bin",
      (async function* () {
        for (let i = 0; i < chunks; i++) yield zeros;
      })(),
      { compress: false },
    );
    await zip.addBuffer("after.txt", "after\n");
    const totals = await zip.finish();
    await stored;
    ftruncateSync(fd, position);
    closeSync(fd);
    expect(totals.bytes).toBe(position);
    expect(position).toBeGreaterThan(2 ** 32);

    const details = execFileSync("zipinfo", ["-v", path], { encoding: "utf8" });
    expect(details).toContain(
      `uncompressed size:                              ${chunks * zeros.length} bytes`,
    );
    expect(details).toMatch(/offset of local header from start of archive:\s+429601\d+/);
    // Info-ZIP finds the member that starts past 4 GiB through its ZIP64 offset and checks its CRC.
    expect(unzip("-p", path, "after.txt")).toBe("after\n");

    const archive = await openZipArchive(path);
    const members = [];
    for await (const member of archive.members()) members.push(member);
    expect(members).toEqual([
      { path: "before.txt", size: 7 },
      { path: "zeros.bin", size: chunks * zeros.length },
      { path: "after.txt", size: 6 },
    ]);
    expect(new TextDecoder().decode(await archive.read("after.txt"))).toBe("after\n");
    await archive.close();

    // Testing every byte with Info-ZIP takes about 30 s: opt in with PICTOGRAPH_SLOW_TESTS=1.
    if (process.env.PICTOGRAPH_SLOW_TESTS === "1")
      expect(unzip("-tq", path)).toContain("No errors detected");
  }, 60_000);

  it("makes add wait while the consumer is behind, and holds no more than it must", async () => {
    const zip = new ZipWriter({ mtime, highWaterMark: 256 * 1024 });
    let accepted = 0;
    let maxBuffered = 0;
    const producing = (async () => {
      for (let i = 0; i < 20_000; i++) {
        await zip.addBuffer(`labels/${i}.txt`, randomBytes(200).toString("hex"));
        accepted++;
        maxBuffered = Math.max(maxBuffered, zip.stream.readableLength);
      }
      await zip.finish();
    })();
    // Nobody reads yet: wait until adding stops making progress (however loaded the machine).
    let stalledAt = -1;
    while (accepted !== stalledAt) {
      stalledAt = accepted;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    // It stopped long before the 20,000 entries.
    expect(stalledAt).toBeLessThan(5000);

    let bytes = 0;
    await pipeline(
      zip.stream,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          setImmediate(done);
        },
      }),
    );
    await producing;
    expect(accepted).toBe(20_000);
    // The archive is several MB; what waited in the stream stayed near the high-water mark.
    expect(bytes).toBeGreaterThan(4 * 1024 * 1024);
    expect(maxBuffered).toBeLessThan(256 * 1024 + 1024 * 1024);
  }, 30_000);

  it("passes image files on as they are, their headers written into one shared buffer", async () => {
    // A buffer allocated per member is memory V8 counts against its next full collection: an
    // export with images made one 64 KiB chunk and one 64 KiB block per image file.
    const zip = new ZipWriter({ mtime });
    const { chunks, consumed: written } = collectOutput(zip);
    const files: Buffer[] = Array.from({ length: 50 }, () => randomBytes(100_000));
    for (const [i, file] of files.entries()) await zip.addStream(`images/${i}.jpg`, chunksOf(file));
    await zip.finish();
    await written;
    expect(files.every((file) => chunks.includes(file))).toBe(true);
    const others = new Set(chunks.filter((c) => !files.includes(c)).map((c) => c.buffer));
    expect(others.size).toBe(1);
  });

  it("errors the stream, never ending it, when a streamed body fails", async () => {
    const zip = new ZipWriter({ mtime });
    const { chunks: received, consumed } = collectOutput(zip);
    await zip.addBuffer("README.txt", "hello\n");
    const failing = (async function* () {
      yield Buffer.alloc(100_000, 1);
      throw new Error("storage went away");
    })();
    await expect(zip.addStream("images/a.png", failing)).rejects.toThrow("storage went away");
    await expect(consumed).rejects.toThrow("storage went away");
    await expect(zip.addBuffer("later.txt", "x")).rejects.toThrow("storage went away");
    await expect(zip.finish()).rejects.toThrow();
    // No end of central directory record was written.
    expect(Buffer.concat(received).includes(Buffer.from([0x50, 0x4b, 0x05, 0x06]))).toBe(false);
  });

  it("stops with an error when the consumer goes away", async () => {
    const zip = new ZipWriter({ mtime, highWaterMark: 1024 });
    zip.stream.on("error", () => undefined);
    // Nobody reads, so this add waits for room that never comes.
    const waiting = zip.addBuffer("a.txt", randomBytes(40_000));
    zip.stream.destroy(new Error("upload aborted"));
    await expect(waiting).rejects.toThrow("upload aborted");
    await expect(zip.addBuffer("b.txt", "b")).rejects.toThrow("upload aborted");
  });

  it("refuses unsafe and duplicate member names", async () => {
    for (const name of [
      "../evil.txt",
      "/etc/passwd",
      "C:/x.txt",
      "a\\b.txt",
      "a//b.txt",
      "dir/",
      "",
    ]) {
      const zip = new ZipWriter({ mtime });
      zip.stream.on("error", () => undefined);
      await expect(zip.addBuffer(name, "x"), name).rejects.toThrow(/ZIP member name/);
    }
    const zip = new ZipWriter({ mtime });
    zip.stream.on("error", () => undefined);
    await zip.addBuffer("a.txt", "1");
    await expect(zip.addBuffer("a.txt", "2")).rejects.toThrow("duplicate ZIP member a.txt");
  });

  it("keeps names that share a hash apart, and refuses a real duplicate long after the first", async () => {
    // Two names with the same FNV-1a hash (half of the 64 bits a name is kept as), found by search.
    const [first, second] = ["labels/185456.txt", "labels/1032340.txt"];
    expect(fnv1a(first)).toBe(fnv1a(second));
    const path = await writeZip(async (zip) => {
      await zip.addBuffer(first, "first");
      await zip.addBuffer(second, "second while the first is still queued");
      for (let i = 0; i < 500; i++) await zip.addBuffer(`other/${i}.txt`, `${i}`);
      await zip.addBuffer(`again/${second}`, "x");
    });
    expect(unzip("-p", path, first)).toBe("first");
    expect(unzip("-p", path, second)).toBe("second while the first is still queued");

    const zip = new ZipWriter({ mtime });
    zip.stream.resume();
    zip.stream.on("error", () => undefined);
    await zip.addBuffer(second, "1");
    for (let i = 0; i < 500; i++) await zip.addBuffer(`other/${i}.txt`, `${i}`);
    await zip.addBuffer(first, "2");
    await expect(zip.addBuffer(second, "3")).rejects.toThrow(`duplicate ZIP member ${second}`);
  });

  it("errors the stream with the reason when its directory cannot go to a temporary file", async () => {
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = join(dir, "missing");
    try {
      const zip = new ZipWriter({ mtime });
      const streamError = new Promise<Error>((resolve) => zip.stream.on("error", resolve));
      zip.stream.resume();
      // Past one page of central records (1 MiB): 5,000 members with 250-byte names.
      const write = async () => {
        for (let i = 0; i < 5_000; i++)
          await zip.addBuffer(`${"n".repeat(240)}/${i}.txt`, `label ${i}\n`.repeat(20));
        await zip.finish();
      };
      await expect(write()).rejects.toThrow(/central directory in a temporary file/);
      expect((await streamError).message).toMatch(/central directory in a temporary file/);
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
    }
  });

  it("deflates streamed text so that it inflates to the same bytes", async () => {
    const zip = new ZipWriter({ mtime, level: 9 });
    const { chunks: parts, consumed } = collectOutput(zip);
    const text = "x".repeat(10) + "é".repeat(70_000) + "y";
    await zip.addStream("a.json", chunksOf(text.slice(0, 5), text.slice(5)));
    await zip.finish();
    await consumed;
    const archive = Buffer.concat(parts);
    // Local header (30 + name) then raw deflate data up to the data descriptor.
    const descriptor = archive.indexOf(Buffer.from([0x50, 0x4b, 0x07, 0x08]));
    const inflated = zlib.inflateRawSync(archive.subarray(30 + "a.json".length, descriptor));
    expect(inflated.toString("utf8")).toBe(text);
    expect(archive.readUInt32LE(descriptor + 4)).toBe(zlib.crc32(text));
  });
  it("deflates a long streamed member in blocks that make one stream, on any thread count", async () => {
    // ≈3.4 MB of varied JSON-like rows with multi-byte characters: seven blocks, whose
    // boundaries fall inside characters.
    const rows = Array.from(
      { length: 40_000 },
      (_, i) =>
        `{"id":${i},"name":"straße ${i % 97}","bbox":[${(i * 1.37) % 900},${(i * 3.1) % 700}]},\n`,
    );
    const text = rows.join("");
    const paths = [1, 2, 0].map((deflateThreads) =>
      writeZip((zip) => zip.addStream("big.json", chunksOf(...rows)), { deflateThreads }),
    );
    const [first, ...others] = await Promise.all(paths);
    expect(unzip("-t", first!)).toContain("No errors detected");
    expect(unzip("-p", first!, "big.json")).toBe(text);
    for (const other of others)
      expect(readFileSync(other!).equals(readFileSync(first!))).toBe(true);
    // Each block is primed with the one before it: the ratio is that of one zlib stream.
    const whole = zlib.deflateRawSync(text, { level: 6 }).byteLength;
    const stored = readFileSync(first!).byteLength;
    // (Unprimed blocks come to 0.4% more here.)
    expect(stored).toBeLessThan(whole * 1.002);
  });

  it("errors the stream when a long streamed body fails part-way through deflating", async () => {
    async function* failing(): AsyncGenerator<string> {
      for (let i = 0; i < 40; i++) yield `${"row ".repeat(20_000)}${i}\n`;
      throw new Error("the database went away");
    }
    const zip = new ZipWriter({ mtime });
    const file = createWriteStream(join(dir, "failing-stream.zip"));
    const consumed = pipeline(zip.stream, file);
    await expect(zip.addStream("big.json", failing())).rejects.toThrow("the database went away");
    await expect(consumed).rejects.toThrow("the database went away");
    // The failed pipeline does not wait for the file to close: the folder is removed after.
    if (!file.closed) await new Promise<void>((resolve) => file.once("close", resolve));
  });
});
