import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TextBlocks } from "./text-blocks";

const joined = (blocks: Uint8Array[]) => Buffer.concat(blocks);

describe("TextBlocks", () => {
  it("writes text as UTF-8, as Buffer does, lone surrogates included", () => {
    const texts = [
      "plain",
      'a&b <c>, "d"',
      "café",
      "日本語のラベル",
      "😀 x",
      "\ud800 lone",
      "z\udfff",
    ];
    const out = new TextBlocks(8);
    for (const text of texts) out.text(text);
    expect(joined(out.takeAll())).toEqual(Buffer.from(texts.join(""), "utf8"));
  });

  it("writes any string as Buffer does, across blocks of any size", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "binary" }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 64 }),
        (texts, blockBytes) => {
          const out = new TextBlocks(blockBytes);
          for (const text of texts) out.text(text);
          return joined(out.takeAll()).equals(Buffer.from(texts.join(""), "utf8"));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("writes integers in decimal", () => {
    const values = [0, 7, 9, 10, 99, 100, 12_345, 2 ** 31, 2 ** 53 - 1];
    const out = new TextBlocks(4);
    for (const value of values) {
      out.integer(value);
      out.text(",");
    }
    expect(joined(out.takeAll()).toString()).toBe(values.map((v) => `${v},`).join(""));
  });

  it("hands over only full blocks, each a buffer it never writes again", () => {
    const out = new TextBlocks(16);
    out.text("0123456789");
    expect(out.takeFilled()).toEqual([]);
    out.text("abcdefghij");
    const filled = out.takeFilled();
    expect(filled.map((block) => Buffer.from(block).toString())).toEqual(["0123456789"]);
    expect(out.takeFilled()).toEqual([]);
    out.text("x".repeat(40));
    const rest = out.takeAll();
    expect(Buffer.from(filled[0]!).toString()).toBe("0123456789");
    expect(joined(rest).toString()).toBe(`abcdefghij${"x".repeat(40)}`);
    expect(new Set([...filled, ...rest].map((block) => block.buffer)).size).toBe(3);
    expect(out.takeAll()).toEqual([]);
  });
});
