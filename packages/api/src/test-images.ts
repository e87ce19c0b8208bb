// Test support: small but complete image files of every type uploads accept (one solid
// colour, real pixel data a decoder can read), written by minimal encoders so the tests need
// no binary fixtures. For tests only: production code never imports this module.
import { solidPng } from "@pictograph/formats/testing";

type Rgb = [number, number, number];
const GREY: Rgb = [128, 128, 128];

export function pngFile(width: number, height: number, rgb: Rgb = GREY): Uint8Array {
  return solidPng(width, height, rgb);
}

/** GIF89a with a 4-colour table; LZW codes stay 3 bits wide by clearing every two pixels. */
export function gifFile(width: number, height: number, [r, g, b]: Rgb = GREY): Uint8Array {
  const clear = 4;
  const end = 5;
  const codes: number[] = [];
  for (let i = 0; i < width * height; i += 2)
    codes.push(clear, 0, ...(i + 1 < width * height ? [0] : []));
  codes.push(end);
  const lzw = packBitsLsbFirst(codes.map((code) => [code, 3] as const));
  const blocks: number[] = [];
  for (let i = 0; i < lzw.length; i += 255) {
    const block = lzw.subarray(i, i + 255);
    blocks.push(block.length, ...block);
  }
  const screen = Buffer.alloc(7);
  screen.writeUInt16LE(width, 0);
  screen.writeUInt16LE(height, 2);
  screen.set([0xf1, 0, 0], 4); // global colour table of 4 entries
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(width, 5);
  descriptor.writeUInt16LE(height, 7);
  return Buffer.concat([
    Buffer.from("GIF89a", "latin1"),
    screen,
    Buffer.from([r, g, b, 0, 0, 0, 255, 255, 255, 0, 0, 0]),
    descriptor,
    Buffer.from([2, ...blocks, 0, 0x3b]), // LZW minimum code size 2, data, terminator, trailer
  ]);
}

/** BMP: BITMAPINFOHEADER, 24-bit bottom-up rows padded to 4 bytes. */
export function bmpFile(width: number, height: number, [r, g, b]: Rgb = GREY): Uint8Array {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) pixels.set([b, g, r], y * stride + x * 3);
  const header = Buffer.alloc(54);
  header.write("BM", 0, "latin1");
  header.writeUInt32LE(54 + pixels.length, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(width, 18);
  header.writeInt32LE(height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(pixels.length, 34);
  return Buffer.concat([header, pixels]);
}

/** Little-endian baseline TIFF: one uncompressed RGB strip after the first IFD. */
export function tiffFile(width: number, height: number, [r, g, b]: Rgb = GREY): Uint8Array {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) pixels.set([r, g, b], i * 3);
  const SHORT = 3;
  const LONG = 4;
  const entries: [tag: number, type: number, count: number, value: number][] = [
    [256, LONG, 1, width], // ImageWidth
    [257, LONG, 1, height], // ImageLength
    [258, SHORT, 3, 0], // BitsPerSample: offset filled in below
    [259, SHORT, 1, 1], // Compression: none
    [262, SHORT, 1, 2], // PhotometricInterpretation: RGB
    [273, LONG, 1, 0], // StripOffsets: filled in below
    [277, SHORT, 1, 3], // SamplesPerPixel
    [278, LONG, 1, height], // RowsPerStrip
    [279, LONG, 1, pixels.length], // StripByteCounts
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const bitsOffset = 8 + ifdSize;
  const stripOffset = bitsOffset + 6;
  entries[2]![3] = bitsOffset;
  entries[5]![3] = stripOffset;
  const head = Buffer.alloc(stripOffset);
  head.write("II", 0, "latin1");
  head.writeUInt16LE(42, 2);
  head.writeUInt32LE(8, 4);
  head.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, count, value], i) => {
    const at = 10 + i * 12;
    head.writeUInt16LE(tag, at);
    head.writeUInt16LE(type, at + 2);
    head.writeUInt32LE(count, at + 4);
    if (type === SHORT && count === 1) head.writeUInt16LE(value, at + 8);
    else head.writeUInt32LE(value, at + 8);
  });
  head.writeUInt32LE(0, 10 + entries.length * 12); // no next IFD
  for (let i = 0; i < 3; i++) head.writeUInt16LE(8, bitsOffset + i * 2);
  return Buffer.concat([head, pixels]);
}

/**
 * Lossless WebP (VP8L): no transforms and five one-symbol prefix codes, so every pixel is
 * the same colour and costs zero bits.
 */
export function webpFile(width: number, height: number, [r, g, b]: Rgb = GREY): Uint8Array {
  const oneSymbol = (symbol: number) =>
    [
      [1, 1], // simple code
      [0, 1], // one symbol
      [1, 1], // stored in 8 bits
      [symbol, 8],
    ] as const;
  const bits = packBitsLsbFirst([
    [width - 1, 14],
    [height - 1, 14],
    [0, 1], // no alpha
    [0, 3], // version 0
    [0, 1], // no transform
    [0, 1], // no colour cache
    [0, 1], // no meta prefix codes
    ...oneSymbol(g),
    ...oneSymbol(r),
    ...oneSymbol(b),
    ...oneSymbol(255),
    ...oneSymbol(0), // distance
  ]);
  const payload = Buffer.concat([
    Buffer.from([0x2f]),
    bits,
    Buffer.alloc(bits.length % 2 === 0 ? 1 : 0),
  ]);
  const chunkSize = 1 + bits.length;
  const chunk = Buffer.alloc(8);
  chunk.write("VP8L", 0, "latin1");
  chunk.writeUInt32LE(chunkSize, 4);
  const riff = Buffer.alloc(12);
  riff.write("RIFF", 0, "latin1");
  riff.writeUInt32LE(4 + 8 + payload.length, 4);
  riff.write("WEBP", 8, "latin1");
  return Buffer.concat([riff, chunk, payload]);
}

function packBitsLsbFirst(fields: readonly (readonly [value: number, bits: number])[]): Buffer {
  const total = fields.reduce((sum, [, bits]) => sum + bits, 0);
  const out = Buffer.alloc(Math.ceil(total / 8));
  let position = 0;
  for (const [value, bits] of fields) {
    for (let i = 0; i < bits; i++, position++)
      if ((value >> i) & 1) out[position >> 3]! |= 1 << (position & 7);
  }
  return out;
}
