import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DatasetImageSchema } from "@pictograph/schema";
import { afterAll, describe, expect, it } from "vitest";
import type { ExportEntry, ExportSource, ExportSummary, FormatWriter } from "../core/types";
import { fixtureSource, memorySource } from "../test/fixture";
import { writeExportZip, type WriteExportZipOptions } from "./write-export-zip";
import { openZipArchive } from "./zip-archive";

const dir = mkdtempSync(join(tmpdir(), "write-export-zip-"));
// A failed pipeline rejects before its file stream has closed: retry past ENOTEMPTY.
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));
const mtime = new Date("2026-01-02T03:04:05Z");
let fileCount = 0;

/** A small but complete format: a README, a streamed JSON index, one label file per image,
 * and the image files when the export includes them. `closed` records that it was allowed
 * to clean up. */
function listFormat(options: { failAfterImages?: number } = {}) {
  const state = { closed: false };
  const write: FormatWriter = async function* (
    source: ExportSource,
  ): AsyncGenerator<ExportEntry, ExportSummary> {
    try {
      yield { type: "file", path: "README.txt", body: `Dataset ${source.dataset.name}\n` };
      let images = 0;
      let annotations = 0;
      for await (const image of source.images()) {
        if (images === options.failAfterImages) throw new Error("the database connection dropped");
        images++;
        annotations += image.annotations.length;
        const stem = image.path.replace(/\.[^.]+$/, "");
        yield { type: "file", path: `labels/${stem}.txt`, body: `${image.annotations.length}\n` };
        if (source.options.include_images)
          yield { type: "image", path: `images/${image.path}`, image };
      }
      async function* index() {
        yield '{"images":[';
        let first = true;
        for await (const image of source.images()) {
          yield `${first ? "" : ","}${JSON.stringify(image.path)}`;
          first = false;
        }
        yield "]}";
      }
      yield { type: "file", path: "index.json", body: index() };
      return {
        images,
        annotations,
        skipped: {},
        imageMembers: source.options.include_images ? images : 0,
      };
    } finally {
      state.closed = true;
    }
  };
  return { write, state };
}

const imageBytes = (path: string) => Buffer.from(`bytes of ${path}`.repeat(1000));

async function exportToFile(
  write: FormatWriter,
  source: ExportSource,
  options: Partial<WriteExportZipOptions> = {},
) {
  const path = join(dir, `export-${fileCount++}.zip`);
  const zip = writeExportZip(write, source, {
    mtime,
    openImage: (entry) => Readable.from([imageBytes(entry.image.path)]),
    ...options,
  });
  const stored = pipeline(zip.stream, createWriteStream(path));
  return { path, stored, done: zip.done };
}

describe("writeExportZip", () => {
  it("streams an annotation-only export into a ZIP and reports what it wrote", async () => {
    const { write, state } = listFormat();
    const source = fixtureSource({ include_images: false });
    const { path, stored, done } = await exportToFile(write, source);
    await stored;
    const result = await done;
    expect(result).toEqual({
      summary: { images: 5, annotations: 11, skipped: {}, imageMembers: 0 },
      entries: 7,
      imageEntries: 0,
      bytes: statSync(path).size,
    });
    expect(state.closed).toBe(true);
    expect(execFileSync("unzip", ["-t", path], { encoding: "utf8" })).toContain(
      "No errors detected",
    );
    const archive = await openZipArchive(path);
    expect(
      JSON.parse(new TextDecoder().decode(await archive.read("index.json"))).images,
    ).toHaveLength(5);
    expect(new TextDecoder().decode(await archive.read("labels/batch2/street.txt"))).toBe("6\n");
    await archive.close();
  });

  it("lets the event loop turn while every entry is ready at once", async () => {
    // Image bytes already in memory and deflate on this thread: nothing here waits for I/O,
    // so only the driver's own pauses let a process's timers, signals and requests in.
    const images = Array.from({ length: 5000 }, (_, i) =>
      DatasetImageSchema.parse({ path: `i${i}.jpg`, width: 10, height: 10 }),
    );
    const source = memorySource(images, [], { include_images: true, status_filter: "all" });
    let turns = 0;
    const count = () => {
      turns++;
      immediate = setImmediate(count);
    };
    let immediate = setImmediate(count);
    const zip = writeExportZip(listFormat().write, source, {
      mtime,
      deflateThreads: 0,
      openImage: (entry) => Readable.from([imageBytes(entry.image.path)]),
    });
    for await (const _chunk of zip.stream);
    expect((await zip.done).imageEntries).toBe(5000);
    clearImmediate(immediate);
    expect(turns).toBeGreaterThan(0);
  });

  it("writes image members from openImage, stored as they are", async () => {
    const { write } = listFormat();
    const { path, stored, done } = await exportToFile(
      write,
      fixtureSource({ include_images: true }),
    );
    await stored;
    expect((await done).imageEntries).toBe(5);
    const archive = await openZipArchive(path);
    expect(
      Buffer.from(await archive.read("images/batch1/street.jpg")).equals(
        imageBytes("batch1/street.jpg"),
      ),
    ).toBe(true);
    await archive.close();
    expect(execFileSync("zipinfo", [path], { encoding: "utf8" })).toMatch(
      /stor .*images\/empty\.png/,
    );
  });

  it("errors the stream when an image cannot be read, and lets the writer clean up", async () => {
    const { write, state } = listFormat();
    const { stored, done } = await exportToFile(write, fixtureSource({ include_images: true }), {
      openImage: (entry) => {
        if (entry.image.path !== "empty.png") return Readable.from([imageBytes(entry.image.path)]);
        return (async function* () {
          yield Buffer.alloc(10);
          throw new Error("empty.png: not found in storage");
        })();
      },
    });
    await expect(stored).rejects.toThrow("empty.png: not found in storage");
    await expect(done).rejects.toThrow("empty.png: not found in storage");
    expect(state.closed).toBe(true);
  });

  it("errors the stream when the format writer fails part-way", async () => {
    const { write } = listFormat({ failAfterImages: 2 });
    const { stored, done } = await exportToFile(write, fixtureSource({ include_images: false }));
    await expect(stored).rejects.toThrow("the database connection dropped");
    await expect(done).rejects.toThrow("the database connection dropped");
  });

  it("refuses image entries when no openImage was given", async () => {
    const { write } = listFormat();
    const { stored, done } = await exportToFile(write, fixtureSource({ include_images: true }), {
      openImage: undefined,
    });
    await expect(stored).rejects.toThrow("the export includes images but no openImage was given");
    await expect(done).rejects.toThrow();
  });

  it("stops the writer when the consumer goes away", async () => {
    const { write, state } = listFormat();
    const zip = writeExportZip(write, fixtureSource({ include_images: true }), {
      mtime,
      openImage: (entry) => Readable.from([imageBytes(entry.image.path)]),
    });
    zip.stream.on("error", () => undefined);
    zip.stream.destroy(new Error("upload cancelled"));
    await expect(zip.done).rejects.toThrow("upload cancelled");
    expect(state.closed).toBe(true);
  });
  it("opens images a few entries ahead, never past a streamed body the writer needs read first", async () => {
    const image = (n: number) => ({
      path: `${n}.jpg`,
      width: 4,
      height: 4,
      status: "complete" as const,
      split: null,
      tags: [],
      annotations: [],
    });
    const write: FormatWriter = async function* () {
      for (let n = 0; n < 30; n++) yield { type: "image", path: `a/${n}.jpg`, image: image(n) };
      let drained = false;
      async function* body() {
        yield "{}";
        drained = true;
      }
      yield { type: "file", path: "index.json", body: body() };
      if (!drained) throw new Error("index.json was not read before the next entry was taken");
      for (let n = 30; n < 40; n++) yield { type: "image", path: `b/${n}.jpg`, image: image(n) };
      return { images: 40, annotations: 0, skipped: {}, imageMembers: 40 };
    };
    let open = 0;
    let mostOpen = 0;
    const zip = writeExportZip(write, fixtureSource({ include_images: true }), {
      mtime,
      openImage: (entry) => {
        mostOpen = Math.max(mostOpen, ++open);
        return Readable.from(
          (async function* () {
            yield imageBytes(entry.path);
            open--;
          })(),
        );
      },
    });
    const path = join(dir, "ahead.zip");
    await pipeline(zip.stream, createWriteStream(path));
    expect((await zip.done).imageEntries).toBe(40);
    expect(mostOpen).toBeGreaterThan(1);
    expect(mostOpen).toBeLessThanOrEqual(8);
    expect(execFileSync("unzip", ["-tq", path], { encoding: "utf8" })).toMatch(/No errors/);
  });

  it("closes the images it opened ahead when the export fails", async () => {
    const { write } = listFormat({ failAfterImages: 3 });
    const opened: Readable[] = [];
    const { stored, done } = await exportToFile(write, fixtureSource({ include_images: true }), {
      openImage: (entry) => {
        const stream = Readable.from([imageBytes(entry.image.path)]);
        opened.push(stream);
        return stream;
      },
    });
    await expect(stored).rejects.toThrow("the database connection dropped");
    await expect(done).rejects.toThrow("the database connection dropped");
    expect(opened.length).toBeGreaterThan(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(opened.filter((stream) => !stream.destroyed && !stream.readableEnded)).toEqual([]);
  });
});
