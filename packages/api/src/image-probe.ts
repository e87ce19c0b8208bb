// Recognises an uploaded image from its bytes while they stream to storage: the type from
// the magic number of the first bytes (never the file name or Content-Type), the upright
// size (EXIF orientation applied) from the header. Holds at most the header in memory.
import { sizeOf, sniffImageType } from "@pictograph/formats";
import { Transform, type TransformCallback } from "node:stream";

export const ACCEPTED_IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "image/tiff"];

/** Headers sit at the start; a JPEG's size can follow a large EXIF thumbnail. */
const MAX_HEADER_BYTES = 4 * 1024 * 1024;

/** A pass-through stream that keeps the header and refuses bodies over `maxBytes`. */
export class ImageProbe extends Transform {
  private head: Buffer[] = [];
  private headBytes = 0;
  private total = 0;
  private measured: { width: number; height: number } | null = null;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.total += chunk.byteLength;
    if (this.total > this.maxBytes) return done(new UploadTooLargeError(this.maxBytes));
    if (!this.measured && this.headBytes < MAX_HEADER_BYTES) {
      this.head.push(chunk);
      this.headBytes += chunk.byteLength;
      const size = sizeOf(Buffer.concat(this.head));
      if ("width" in size) {
        this.measured = size;
        this.head = [Buffer.concat(this.head).subarray(0, 64)];
      }
    }
    done(null, chunk);
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
