// Validation of the inclusive byte ranges `get` accepts, shared by the drivers. Pure: no I/O.
import { type ByteRange } from "./blob-store";
import { InvalidRangeError } from "./storage-errors";

export interface CheckedRange {
  start: number;
  end?: number;
}

/** `undefined` for "the whole object"; otherwise a range with a start and an optional end. */
export function checkByteRange(
  key: string,
  range: ByteRange | undefined,
): CheckedRange | undefined {
  if (!range || (range.start === undefined && range.end === undefined)) return undefined;
  const start = range.start ?? 0;
  for (const [name, value] of [
    ["start", start],
    ["end", range.end],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new InvalidRangeError(key, `${name} must be a non-negative integer, got ${value}`);
    }
  }
  if (range.end !== undefined && range.end < start) {
    throw new InvalidRangeError(key, `end (${range.end}) is before start (${start})`);
  }
  return { start, end: range.end };
}
