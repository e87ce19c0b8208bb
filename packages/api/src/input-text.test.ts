import { describe, expect, it } from "vitest";
import { findNulCharacter } from "./input-text";

describe("findNulCharacter", () => {
  it("names the first string or key holding U+0000 by its dotted path", () => {
    expect(findNulCharacter({ a: "ok", b: [{ c: "x\u0000" }], d: "\u0000" })).toBe("b.0.c");
    expect(findNulCharacter({ a: { "k\u0000": 1 } }, "input")).toBe("input.a.k\u0000");
    expect(findNulCharacter("\u0000", "name")).toBe("name");
    expect(findNulCharacter({ a: ["fine", 1, null, true] })).toBeNull();
  });

  it("walks a value nested 200,000 deep without overflowing the stack (found by the API fuzz)", () => {
    let deep: unknown = "x\u0000";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findNulCharacter(deep)?.split(".")).toHaveLength(200_000);
    let clean: unknown = {};
    for (let i = 0; i < 200_000; i++) clean = { a: clean };
    expect(findNulCharacter(clean)).toBeNull();
  });
});
