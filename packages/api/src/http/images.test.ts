// Image bytes through PUT /datasets/{d}/images/{path} and GET /datasets/{d}/image-files/{path}:
// the six accepted types measured upright, refusals that leave no row and no stored file
// (not an image, too large, a clashing file stem, a body cut off mid-stream), re-uploads
// that replace the file, and downloads with ranges and validators.
import { testBackends } from "@pictograph/db/testing";
import { jpegBytes, pngBytes } from "@pictograph/formats/testing";
import type { Image } from "@pictograph/schema";
import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bmpFile, gifFile, pngFile, tiffFile, webpFile } from "../test-images";
import {
  callRest,
  expectError,
  expectOk,
  openTestApi,
  provisionWorkspace,
  storedFiles,
  type TestApi,
  type TestWorkspace,
} from "../testing";

const MAX_UPLOAD = 64 * 1024;
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A request body that delivers `chunks`, then fails the way a dropped connection does. */
function cutOffStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++]!);
      else controller.error(new Error("connection reset by peer"));
    },
  });
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++]!);
      else controller.close();
    },
  });
}

describe.each(testBackends(process.env.TEST_DATABASE_URL))("image files on $name", (backend) => {
  let t: TestApi;
  let ws: TestWorkspace;
  let key: string;
  const upload = (path: string, body: RequestInit["body"], query = "") =>
    callRest(t.api, "PUT", `/datasets/pics/images/${path}${query}`, { key, body });
  const imageRows = async () =>
    expectOk<{ data: Image[] }>(
      await callRest(t.api, "GET", "/datasets/pics/images?limit=200", { key }),
    ).data.map((i) => i.path);
  const blobs = async () => storedFiles(t.storageDir);

  beforeAll(async () => {
    t = await openTestApi(backend, { maxUploadBytes: MAX_UPLOAD, recordJobs: true });
    ws = await provisionWorkspace(t.db);
    key = ws.keys.member;
    expectOk(
      await callRest(t.api, "POST", "/datasets", {
        key,
        json: { name: "pics", classes: [{ name: "car", color: "#112233" }] },
      }),
      201,
    );
  });
  afterAll(() => t?.close());
  afterEach(() => expect(t.internalErrors).toEqual([]));

  it("accepts JPEG, PNG, WebP, GIF, BMP and TIFF, measuring them from their bytes", async () => {
    const files = {
      "types/photo.jpg": { bytes: jpegBytes(64, 48), mime: "image/jpeg", width: 64, height: 48 },
      // EXIF orientation 6: stored 64 × 48 on the sensor, upright 48 × 64.
      "types/rotated.jpg": {
        bytes: jpegBytes(64, 48, 6),
        mime: "image/jpeg",
        width: 48,
        height: 64,
      },
      "types/flat.png": { bytes: pngFile(30, 20), mime: "image/png", width: 30, height: 20 },
      "types/lossless.webp": { bytes: webpFile(17, 9), mime: "image/webp", width: 17, height: 9 },
      "types/anim.gif": { bytes: gifFile(7, 5), mime: "image/gif", width: 7, height: 5 },
      "types/scan.bmp": { bytes: bmpFile(6, 4), mime: "image/bmp", width: 6, height: 4 },
      "types/page.tiff": { bytes: tiffFile(5, 3), mime: "image/tiff", width: 5, height: 3 },
      // The name says nothing: the bytes decide.
      "types/misnamed.jpg": { bytes: pngFile(3, 2), mime: "image/png", width: 3, height: 2 },
    };
    for (const [path, file] of Object.entries(files)) {
      const image = expectOk<Image>(await upload(path, file.bytes), 201);
      expect(image, path).toMatchObject({
        dataset_name: "pics",
        path,
        mime: file.mime,
        width: file.width,
        height: file.height,
        size_bytes: file.bytes.byteLength,
        sha256: sha256(file.bytes),
        status: "new",
        split: null,
        tags: [],
        annotation_count: 0,
      });
      expect(
        expectOk(await callRest(t.api, "GET", `/datasets/pics/images/${path}`, { key })),
      ).toEqual(image);
      const download = await callRest(t.api, "GET", `/datasets/pics/image-files/${path}`, {
        key: ws.keys.viewer,
      });
      expect(download.status).toBe(200);
      expect(download.headers.get("content-type")).toBe(file.mime);
      expect(download.headers.get("content-length")).toBe(String(file.bytes.byteLength));
      expect(sha256(download.bytes)).toBe(sha256(file.bytes));
    }
    expect((await blobs()).filter((f) => f.startsWith("images/"))).toHaveLength(
      Object.keys(files).length,
    );
  });

  it("sets status and split from the query, and refuses unknown values listing the valid ones", async () => {
    const image = expectOk<Image>(
      await upload("query/a.png", pngFile(2, 2), "?status=complete&split=train"),
      201,
    );
    expect(image).toMatchObject({ status: "complete", split: "train" });
    const before = await blobs();
    const badStatus = expectError(
      await upload("query/b.png", pngFile(2, 2), "?status=done"),
      422,
      "validation_error",
    );
    expect(badStatus).toContain("image status must be one of: new, in_progress, complete");
    const badSplit = expectError(
      await upload("query/b.png", pngFile(2, 2), "?split=training"),
      422,
      "validation_error",
    );
    expect(badSplit).toContain("split must be one of: train, val, test");
    expect(await blobs()).toEqual(before);
  });

  it("replaces the file of an existing path with 200, keeps its annotations and deletes the old file", async () => {
    const first = expectOk<Image>(await upload("again/x.png", pngFile(10, 10)), 201);
    const annotations = [{ type: "bbox", class_name: "car", bbox: { x: 1, y: 1, w: 2, h: 2 } }];
    expectOk(
      await callRest(t.api, "PUT", "/datasets/pics/annotations/again/x.png", {
        key,
        json: { annotations },
      }),
    );
    const before = await blobs();
    const second = expectOk<Image>(await upload("again/x.png", jpegBytes(12, 8)), 200);
    expect(second).toMatchObject({
      id: first.id,
      mime: "image/jpeg",
      width: 12,
      height: 8,
      annotation_count: 1,
    });
    expect(second.sha256).not.toBe(first.sha256);
    const after = await blobs();
    expect(after).toHaveLength(before.length);
    expect(after).not.toEqual(before);
    const download = await callRest(t.api, "GET", "/datasets/pics/image-files/again/x.png", {
      key,
    });
    expect(sha256(download.bytes)).toBe(second.sha256);
    // Status and split in the query apply to a re-upload too; without them they stay.
    expectOk(await upload("again/x.png", pngFile(5, 5), "?status=complete&split=val"), 200);
    const third = expectOk<Image>(await upload("again/x.png", pngFile(6, 6)), 200);
    expect(third).toMatchObject({
      status: "complete",
      split: "val",
      width: 6,
      annotation_count: 1,
    });
    expect(await blobs()).toHaveLength(before.length);
  });

  it("takes concurrent uploads to one new path as one create and one replace, leaving one file", async () => {
    const before = await blobs();
    const responses = await Promise.all([
      upload("race/x.png", pngFile(4, 4)),
      upload("race/x.png", pngFile(5, 5)),
      upload("race/x.png", pngFile(6, 6)),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    const image = expectOk<Image>(
      await callRest(t.api, "GET", "/datasets/pics/images/race/x.png", { key }),
    );
    expect(await blobs()).toHaveLength(before.length + 1);
    const served = await callRest(t.api, "GET", "/datasets/pics/image-files/race/x.png", { key });
    expect(sha256(served.bytes)).toBe(image.sha256);
  });

  it("refuses a file that is not an image with 415, leaving no row and no file", async () => {
    const before = await blobs();
    for (const [path, body] of [
      ["refused/notes.png", new TextEncoder().encode("just some text, not an image at all")],
      ["refused/empty.png", new Uint8Array(0)],
      // The right magic number with a header too short to measure.
      ["refused/truncated.png", pngBytes(10, 10).subarray(0, 20)],
    ] as const) {
      const message = expectError(await upload(path, body), 415, "unsupported_media_type");
      expect(message).toContain(
        "image/jpeg, image/png, image/webp, image/gif, image/bmp, image/tiff",
      );
    }
    expect(await blobs()).toEqual(before);
    expect(await imageRows()).not.toContain("refused/notes.png");
  });

  it("refuses a body over the size limit with 413, declared or streamed, leaving nothing", async () => {
    const before = await blobs();
    const big = new Uint8Array(MAX_UPLOAD + 1);
    big.set(pngFile(4, 4));
    const declared = expectError(await upload("big/declared.png", big), 413, "payload_too_large");
    expect(declared).toContain(`${MAX_UPLOAD} bytes`);
    const chunks = [pngFile(4, 4), ...Array.from({ length: 10 }, () => new Uint8Array(8 * 1024))];
    expectError(await upload("big/streamed.png", streamOf(chunks)), 413, "payload_too_large");
    expect(await blobs()).toEqual(before);
    const exactly = new Uint8Array(MAX_UPLOAD);
    exactly.set(pngFile(4, 4));
    expectOk(await upload("big/exactly.png", exactly), 201);
  });

  it("refuses x.png beside x.jpg with 409 (FORMATS.md D2) and leaves no orphan file", async () => {
    expectOk(await upload("stems/x.jpg", jpegBytes(4, 4)), 201);
    const before = await blobs();
    const message = expectError(await upload("stems/x.png", pngFile(4, 4)), 409, "conflict");
    expect(message).toContain("x.jpg and x.png cannot both exist");
    expect(await blobs()).toEqual(before);
    expect(await imageRows()).not.toContain("stems/x.png");
    // Another folder is another stem.
    expectOk(await upload("stems/other/x.png", pngFile(4, 4)), 201);
  });

  it("keeps no row, no file and no temp file when the upload is cut off mid-stream", async () => {
    const before = await blobs();
    const head = pngFile(50, 50);
    const response = await upload(
      "cut/off.png",
      cutOffStream([head, new Uint8Array(4096), new Uint8Array(4096)]),
    );
    expect(response.status).toBeLessThan(500);
    expectError(response, 400, "bad_request");
    expect(await blobs()).toEqual(before);
    expect(await imageRows()).not.toContain("cut/off.png");
    expectError(
      await callRest(t.api, "GET", "/datasets/pics/images/cut/off.png", { key }),
      404,
      "not_found",
    );
  });

  it("refuses an image larger than the largest side the model allows, leaving nothing", async () => {
    const before = await blobs();
    // A PNG header can claim up to 2^32 - 1 pixels a side.
    for (const [width, height] of [
      [2_000_000, 10],
      [10, 4_000_000_000],
    ] as const) {
      const message = expectError(
        await upload(`huge/${width}x${height}.png`, pngBytes(width, height)),
        422,
        "validation_error",
      );
      expect(message).toMatch(/width|height/);
    }
    expect(await blobs()).toEqual(before);
    expectOk(await callRest(t.api, "GET", "/datasets/pics/images", { key }));
  });

  it("refuses bad paths, unknown datasets and missing bodies without storing anything", async () => {
    const before = await blobs();
    expect(expectError(await upload("a//b.png", pngFile(2, 2)), 422, "validation_error")).toContain(
      "empty folders",
    );
    expect(
      expectError(await upload("a%5Cb.png", pngFile(2, 2)), 422, "validation_error"),
    ).toContain("'/' as separator");
    // Under the 1,024-character limit but ~2,900 bytes of UTF-8: too long for the path index.
    const wide = Array.from({ length: 12 }, (_, s) =>
      Array.from({ length: 80 }, (_, c) =>
        String.fromCodePoint(0x4e00 + ((s * 997 + c * 7919) % 20000)),
      ).join(""),
    );
    const widePath = `${wide.join("/")}.png`.split("/").map(encodeURIComponent).join("/");
    expect(expectError(await upload(widePath, pngFile(2, 2)), 422, "validation_error")).toContain(
      "too long",
    );
    // The database cannot store U+0000: refused before anything is stored or queried.
    expect(
      expectError(await upload("a%00b.png", pngFile(2, 2)), 422, "validation_error"),
    ).toContain("NUL character");
    expectError(
      await callRest(t.api, "GET", "/datasets/pics/image-files/a%00b.png", { key }),
      422,
      "validation_error",
    );
    expectError(
      await callRest(t.api, "GET", "/datasets/pics/images/a%00b.png", { key }),
      422,
      "validation_error",
    );
    expectError(
      await callRest(t.api, "PUT", "/datasets/missing/images/a.png", { key, body: pngFile(2, 2) }),
      404,
      "not_found",
    );
    expectError(
      await callRest(t.api, "PUT", "/datasets/pics/images/no-body.png", { key }),
      400,
      "bad_request",
    );
    expect(await blobs()).toEqual(before);
  });

  it("serves ranges, validators and 404s for image files", async () => {
    const bytes = pngFile(8, 8);
    const image = expectOk<Image>(await upload("ranges/r.png", bytes), 201);
    const url = "/datasets/pics/image-files/ranges/r.png";
    const part = await callRest(t.api, "GET", url, { key, headers: { range: "bytes=1-3" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 1-3/${bytes.byteLength}`);
    expect(part.text).toBe("PNG");
    const suffix = await callRest(t.api, "GET", url, { key, headers: { range: "bytes=-4" } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get("content-length")).toBe("4");
    const beyond = await callRest(t.api, "GET", url, {
      key,
      headers: { range: `bytes=${bytes.byteLength + 5}-` },
    });
    expect(expectError(beyond, 416, "range_not_satisfiable")).toMatch(/not satisfiable/);
    expect(beyond.headers.get("content-range")).toBe(`bytes */${bytes.byteLength}`);
    // A backwards range is refused the same way, error body included (found by the API fuzz).
    const backwards = await callRest(t.api, "GET", url, { key, headers: { range: "bytes=5-1" } });
    expectError(backwards, 416, "range_not_satisfiable");
    const cached = await callRest(t.api, "GET", url, {
      key,
      headers: { "if-none-match": `"${image.sha256}"` },
    });
    expect(cached.status).toBe(304);
    expectError(
      await callRest(t.api, "GET", "/datasets/pics/image-files/ranges/none.png", { key }),
      404,
      "not_found",
    );
    expectError(
      await callRest(t.api, "GET", "/datasets/nope/image-files/ranges/r.png", { key }),
      404,
      "not_found",
    );
  });
});
