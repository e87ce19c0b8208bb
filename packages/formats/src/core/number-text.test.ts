import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { numberText } from "./number-text";
import { TextBlocks } from "./text-blocks";

/** TextBlocks.number's bytes, as text: it must write exactly what numberText returns. Small
 * blocks: the default 64 KiB one per call made these 60,000 calls take seconds. */
function textBlocksNumber(value: number): string {
  const out = new TextBlocks(32);
  out.number(value);
  return Buffer.concat(out.takeAll()).toString("latin1");
}

describe.each([
  ["numberText", numberText],
  ["TextBlocks.number", textBlocksNumber],
])("%s", (_, numberText) => {
  it("writes what String() writes, at the edges of its fast path", () => {
    const values = [
      0,
      -0,
      1,
      -1,
      0.1,
      0.01,
      0.001,
      0.0001,
      0.00001,
      -0.004,
      12.5,
      12.25,
      12.345,
      99.99,
      1234.5678,
      1234.56789,
      0.1 + 0.2,
      1.005,
      640.0000000000001,
      8381.0205,
      1e11 - 0.01,
      1e11,
      1e11 + 0.5,
      -1e11 + 0.01,
      2 ** 53,
      1e21,
      5e-7,
      Number.MIN_VALUE,
      Number.MAX_VALUE,
      Number.EPSILON,
      NaN,
      Infinity,
      -Infinity,
    ];
    for (const value of values) expect(numberText(value), String(value)).toBe(String(value));
  });

  it("writes what String() writes for any double", () => {
    fc.assert(
      fc.property(fc.double(), (value) => numberText(value) === String(value)),
      { numRuns: 20_000 },
    );
  });

  it("writes what String() writes for decimals of up to four places, at any magnitude", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
        fc.constantFrom(1, 10, 100, 1000, 10_000, 100_000),
        (k, scale) => numberText(k / scale) === String(k / scale),
      ),
      { numRuns: 20_000 },
    );
  });

  it("writes the products and sums that boxes of two-decimal numbers give", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (a, b) => {
          const [x, y] = [a / 100, b / 100];
          return [x * y, x + y, x - y].every((value) => numberText(value) === String(value));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
