// Text written straight into UTF-8 bytes, for a member made of millions of small pieces
// (COCO's annotations[]): formatting each number as a string, joining the strings and encoding
// the result cost more than the rest of the writer, much of it in the garbage collector.
// Numbers come out exactly as numberText writes them (String(), and so JSON.stringify for
// finite ones). Pure.
import { decimalScale } from "./number-text";

/** The longest a finite double's String() can be: "-1.2345678901234567e-308". */
const NUMBER_BYTES = 24;
const DEFAULT_BLOCK_BYTES = 64 * 1024;
const encoder = new TextEncoder();

export class TextBlocks {
  /** Allocated by the first write that needs room: a block handed over is never written again. */
  private block = new Uint8Array(0);
  private used = 0;
  private filled: Uint8Array[] = [];

  constructor(private readonly blockBytes = DEFAULT_BLOCK_BYTES) {}

  /** Appends `text` as UTF-8 (a lone surrogate as U+FFFD, as Buffer and TextEncoder do). */
  text(text: string): void {
    const length = text.length;
    this.reserve(length * 3);
    const block = this.block;
    let at = this.used;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) {
        at += encoder.encodeInto(text.slice(i), block.subarray(at)).written;
        break;
      }
      block[at++] = code;
    }
    this.used = at;
  }

  /** Appends a non-negative integer below 2^53 (an id, a count) in decimal. */
  integer(value: number): void {
    this.reserve(NUMBER_BYTES);
    this.used = writeDigits(this.block, this.used, value, 1);
  }

  /** Appends numberText(value). */
  number(value: number): void {
    const scale = decimalScale(value);
    if (scale === 0) return this.text(String(value));
    this.reserve(NUMBER_BYTES);
    const block = this.block;
    let at = this.used;
    let k = Math.round(value * scale);
    // -0 has no sign in String(): `k < 0` is false for it.
    if (k < 0) {
      block[at++] = 0x2d;
      k = -k;
    }
    const whole = Math.floor(k / scale);
    let fraction = k - whole * scale;
    at = writeDigits(block, at, whole, 1);
    if (fraction !== 0) {
      let places = scale === 100 ? 2 : 4;
      while (fraction % 10 === 0) {
        fraction /= 10;
        places--;
      }
      block[at++] = 0x2e;
      at = writeDigits(block, at, fraction, places);
    }
    this.used = at;
  }

  /** Bytes written so far, as blocks of about blockBytes, once at least one block is full;
   * otherwise nothing. Each is a buffer of its own that this never writes again. */
  takeFilled(): Uint8Array[] {
    const filled = this.filled;
    if (filled.length > 0) this.filled = [];
    return filled;
  }

  /** Every byte written so far, blocks and the part-filled one. */
  takeAll(): Uint8Array[] {
    this.closeBlock();
    return this.takeFilled();
  }

  /** Makes room for `bytes` more, in a new block when this one is too full for them. */
  private reserve(bytes: number): void {
    if (this.used + bytes <= this.block.length) return;
    this.closeBlock();
    this.block = new Uint8Array(Math.max(this.blockBytes, bytes));
  }

  private closeBlock(): void {
    if (this.used === 0) return;
    this.filled.push(this.block.subarray(0, this.used));
    this.block = new Uint8Array(0);
    this.used = 0;
  }
}

/** Writes `value` (an integer, 0 ≤ value < 2^53) at `at` in at least `minDigits` digits,
 * zero-padded; returns where it ends. */
function writeDigits(block: Uint8Array, at: number, value: number, minDigits: number): number {
  let digits = 1;
  for (let power = 10; power <= value; power *= 10) digits++;
  if (digits < minDigits) digits = minDigits;
  const end = at + digits;
  let i = end - 1;
  // Integer arithmetic once the rest fits in 31 bits: most numbers do from the start.
  for (; value > 0x7fffffff; i--) {
    const rest = Math.floor(value / 10);
    block[i] = 0x30 + (value - rest * 10);
    value = rest;
  }
  let small = value | 0;
  for (; i >= at; i--) {
    const rest = (small / 10) | 0;
    block[i] = 0x30 + (small - rest * 10);
    small = rest;
  }
  return end;
}
