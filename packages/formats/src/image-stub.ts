// Test support: the smallest image files image-size can measure, with a chosen size (and a
// JPEG EXIF orientation), so reader tests need no binary fixtures.
import { encodePng } from "./core/png-file";

/** PNG signature + IHDR: enough for a size probe. */
export function pngBytes(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  const view = new DataView(bytes.buffer);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
  view.setUint32(8, 13);
  bytes.set([0x49, 0x48, 0x44, 0x52], 12);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 6, 0, 0, 0], 24);
  return bytes;
}

/** JPEG with an EXIF APP1 carrying `orientation`, then a SOF0 of the stored (sensor) size. */
export function jpegBytes(storedWidth: number, storedHeight: number, orientation = 1): Uint8Array {
  const tiffHeader = [0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08]; // big-endian, IFD at 8
  const oneEntry = [0x00, 0x01];
  // Tag 0x0112 (Orientation), type SHORT, count 1, value.
  const orientationTag = [0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0, 0];
  const noNextIfd = [0x00, 0x00, 0x00, 0x00];
  const exifMarker = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]; // "Exif\0\0"
  const exif = [...exifMarker, ...tiffHeader, ...oneEntry, ...orientationTag, ...noNextIfd];
  const app1 = [0xff, 0xe1, (exif.length + 2) >> 8, (exif.length + 2) & 0xff, ...exif];
  const size = [storedHeight >> 8, storedHeight & 0xff, storedWidth >> 8, storedWidth & 0xff];
  const components = [0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, ...size, ...components];
  return new Uint8Array([0xff, 0xd8, ...app1, ...sof0, 0xff, 0xd9]);
}

/** A PNG of one colour. */
export function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) pixels.set(rgb, i);
  return encodePng({ width, height, channels: 3, pixels });
}
