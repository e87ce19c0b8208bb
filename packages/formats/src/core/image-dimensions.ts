// Measures an image member's upright size (EXIF orientation applied, FORMATS.md §0.4) for
// readers whose format stores normalised or no sizes (YOLO, CSV without rows). Reads only
// as much of the member as the header needs; never throws.
import { imageSize } from "image-size";
import type { ArchiveSource } from "./types";
import { errorMessage } from "./import-problems";

/** Headers sit at the start; a JPEG's size can follow a large EXIF thumbnail. */
const MAX_HEADER_BYTES = 4 * 1024 * 1024;

export const IMAGE_EXTENSIONS = new Set([
  ".jpg",
  ".jpeg",
  ".png",
  ".bmp",
  ".gif",
  ".webp",
  ".tif",
  ".tiff",
  ".dng",
  ".mpo",
  ".pfm",
  ".heic",
]);

export type MeasuredSize = { width: number; height: number } | { error: string };

export async function measureImage(archive: ArchiveSource, path: string): Promise<MeasuredSize> {
  let buffer = new Uint8Array(0);
  let lastError = "empty file";
  try {
    for await (const chunk of archive.open(path)) {
      const joined = new Uint8Array(buffer.byteLength + chunk.byteLength);
      joined.set(buffer);
      joined.set(chunk, buffer.byteLength);
      buffer = joined;
      const size = sizeOf(buffer);
      if ("width" in size) return size;
      lastError = size.error;
      if (buffer.byteLength >= MAX_HEADER_BYTES) break;
    }
  } catch (error) {
    return { error: `cannot read image: ${errorMessage(error)}` };
  }
  return { error: `cannot measure image size: ${lastError}` };
}

export function sizeOf(bytes: Uint8Array): MeasuredSize {
  try {
    const { width, height, orientation } = imageSize(bytes);
    if (!(width > 0 && height > 0)) return { error: "image has no size" };
    // Orientations 5–8 rotate by 90°: the upright image is height × width.
    return orientation && orientation >= 5 ? { width: height, height: width } : { width, height };
  } catch (error) {
    return { error: errorMessage(error) };
  }
}

const startsWith = (head: Uint8Array, bytes: number[], offset = 0) =>
  head.byteLength >= offset + bytes.length && bytes.every((b, i) => head[offset + i] === b);

/** The image MIME type the first bytes announce (never the name), or null for anything else. */
export function sniffImageType(head: Uint8Array): string | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head, [0x57, 0x45, 0x42, 0x50], 8))
    return "image/webp";
  if (startsWith(head, [0x47, 0x49, 0x46, 0x38])) return "image/gif";
  if (startsWith(head, [0x42, 0x4d])) return "image/bmp";
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]))
    return "image/tiff";
  return null;
}
