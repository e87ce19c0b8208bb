// Recognises an uploaded image from its bytes while they stream to storage: the type from
// the magic number of the first bytes (never the file name or Content-Type), the upright
// size (EXIF orientation applied) from the header. Holds at most the header in memory.
import { sizeOf, sniffImageType } from "@pictograph/formats";

export const ACCEPTED_IMAGE_TYPES = [
  "image/jpeg",
  "image/png",
  "image/webp",
  "image/gif",
  "image/bmp",
  "image/tiff",
];

/** Headers sit at the start; a JPEG's size can follow a large EXIF thumbnail. */
const MAX_HEADER_BYTES = 4 * 1024 * 1024;

/** Watches a body on its way to storage; refuses bodies over `maxBytes`. */
export class ImageProbe {
  private head: Buffer[] = [];
  private headBytes = 0;
  private total = 0;
  private measured: { width: number; height: number } | null = null;

  constructor(private readonly maxBytes: number) {}

  /** The body's chunks, unchanged; throws UploadTooLargeError past the limit. */
  async *read(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
    for await (const chunk of body) {
      this.inspect(chunk);
      yield chunk;
    }
  }

  private inspect(chunk: Uint8Array): void {
    this.total += chunk.byteLength;
    if (this.total > this.maxBytes) throw new UploadTooLargeError(this.maxBytes);
    if (!this.measured && this.headBytes < MAX_HEADER_BYTES) {
      this.head.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.headBytes += chunk.byteLength;
      const head = Buffer.concat(this.head);
      // A copy with an ArrayBuffer of its own: image-size reads through DataViews bounded by
      // the buffer, not the view, so on a pooled Buffer a short header would be "measured"
      // from whatever bytes follow it in the pool.
      const size = sizeOf(new Uint8Array(head));
      if ("width" in size) {
        this.measured = size;
        this.head = [Buffer.from(head.subarray(0, 64))];
      } else {
        this.head = [head];
      }
    }
  }

  /** Type and upright size, once the body has been read; null when it is not an image we take. */
  result(): { mime: string; width: number; height: number } | null {
    const head = Buffer.concat(this.head);
    const mime = sniffImageType(head);
    if (!mime || !this.measured) return null;
    return { mime, ...this.measured };
  }
}

export class UploadTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`image must be at most ${maxBytes} bytes`);
  }
}
