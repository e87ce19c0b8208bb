// Real PNG files of seeded noise, for uploading through the API: incompressible on purpose,
// so an export with images has bytes to stream. Pure: builds bytes, no I/O.
import { encodePng } from "@pictograph/formats";

export function noisePng(width: number, height: number, seed: number): Buffer {
  const pixels = new Uint8Array(width * height * 3);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < pixels.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    pixels[i] = state & 0xff;
  }
  return encodePng({ width, height, channels: 3, pixels }, { level: 1 });
}
