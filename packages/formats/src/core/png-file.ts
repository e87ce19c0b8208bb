// PNG files from raw 8-bit pixels: the demo dataset draws its images with this, and tests make
// real uploads with it (solidPng in image-stub.ts). One IDAT, no filtering, no interlace:
// simple and always valid.
import { crc32, deflateSync } from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOUR_TYPE = { 1: 0, 3: 2 } as const; // greyscale, truecolour

export type RawImage = {
  width: number;
  height: number;
  /** Bytes per pixel: 1 for grey, 3 for RGB. */
  channels: 1 | 3;
  /** Rows top to bottom, `width * channels` bytes each. */
  pixels: Uint8Array;
};

export function encodePng(image: RawImage, options: { level?: number } = {}): Buffer {
  const { width, height, channels, pixels } = image;
  const stride = width * channels;
  if (pixels.byteLength !== stride * height)
    throw new Error(`expected ${stride * height} bytes of pixels, got ${pixels.byteLength}`);
  // Each row starts with its filter type, 0 (none).
  const rows = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++)
    rows.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, COLOUR_TYPE[channels], 0, 0, 0], 8);
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: options.level })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(data.byteLength + 12);
  out.writeUInt32BE(data.byteLength, 0);
  out.write(type, 4, "latin1");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.byteLength)), 8 + data.byteLength);
  return out;
}
