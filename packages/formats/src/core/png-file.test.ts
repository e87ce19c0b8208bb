import { crc32, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { sizeOf, sniffImageType } from "./image-dimensions";
import { solidPng } from "../image-stub";
import { encodePng } from "./png-file";

/** The file's chunks, each checked against its CRC. */
function chunksOf(png: Buffer): Array<{ type: string; data: Buffer }> {
  const chunks = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const typed = png.subarray(at + 4, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(typed));
    chunks.push({ type: typed.subarray(0, 4).toString("latin1"), data: typed.subarray(4) });
    at += length + 12;
  }
  return chunks;
}

describe("encodePng", () => {
  it("writes RGB pixels row by row, each row unfiltered, with valid CRCs", () => {
    const pixels = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => i * 10);
    const png = encodePng({ width: 3, height: 2, channels: 3, pixels });

    expect(sniffImageType(png)).toBe("image/png");
    expect(sizeOf(png)).toMatchObject({ width: 3, height: 2 });
    const chunks = chunksOf(png);
    expect(chunks.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    expect([...chunks[0]!.data.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
    const rows = inflateSync(chunks[1]!.data);
    expect([...rows]).toEqual([0, ...pixels.subarray(0, 9), 0, ...pixels.subarray(9)]);
  });

  it("writes greyscale with one byte a pixel", () => {
    const png = encodePng({ width: 2, height: 2, channels: 1, pixels: Uint8Array.of(1, 2, 3, 4) });
    const [header, data] = chunksOf(png);
    expect(header!.data[9]).toBe(0);
    expect([...inflateSync(data!.data)]).toEqual([0, 1, 2, 0, 3, 4]);
  });

  it("refuses pixels that do not fill the image", () => {
    expect(() =>
      encodePng({ width: 2, height: 2, channels: 3, pixels: new Uint8Array(11) }),
    ).toThrow("expected 12 bytes of pixels, got 11");
  });

  it("makes a PNG of one colour", () => {
    const rows = inflateSync(chunksOf(solidPng(2, 1, [7, 8, 9]))[1]!.data);
    expect([...rows]).toEqual([0, 7, 8, 9, 7, 8, 9]);
  });
});
