import { describe, expect, it } from "vitest";
import {
  interpolate,
  interpolateDocument,
  InterpolationError,
  variableUses,
} from "./compose-interpolation";

describe("interpolate, as Compose reads ${…}", () => {
  const vars = { SET: "value", EMPTY: "" };

  it("substitutes braced and bare names, and an unset one by nothing", () => {
    expect(interpolate("a-${SET}-$SET-${UNSET}-", vars)).toBe("a-value-value--");
  });

  it("tells :- (unset or empty) from - (unset only)", () => {
    expect(interpolate("${EMPTY:-d} ${EMPTY-d} ${UNSET-d} ${SET:-d}", vars)).toBe("d  d value");
  });

  it("refuses a missing required variable with the file's own message", () => {
    expect(() => interpolate("${EMPTY:?set EMPTY in .env}", vars)).toThrow(
      new InterpolationError("set EMPTY in .env"),
    );
    expect(() => interpolate("${UNSET?}", vars)).toThrow(/UNSET/);
    expect(interpolate("${EMPTY?}", vars)).toBe("");
  });

  it("uses the replacement only when the variable is set (:+ and +)", () => {
    expect(interpolate("[${SET:+on}][${EMPTY:+on}][${EMPTY+on}][${UNSET+on}]", vars)).toBe(
      "[on][][on][]",
    );
  });

  it("interpolates defaults that hold variables, and keeps $$ as one literal $", () => {
    expect(interpolate("${UNSET:-x-${SET}-${ALSO_UNSET:-y}}", vars)).toBe("x-value-y");
    expect(interpolate('sh -c "$$HOME" costs $$5', vars)).toBe('sh -c "$HOME" costs $5');
  });

  it("rejects what Compose rejects", () => {
    expect(() => interpolate("${SET", vars)).toThrow(InterpolationError);
    expect(() => interpolate("${1BAD}", vars)).toThrow(InterpolationError);
  });

  it("lists every variable used, nested ones too, with its operator and raw default", () => {
    expect(variableUses("postgres://${USER:-me}:${PASSWORD:?}@db/${DB:-${USER:-me}}")).toEqual([
      { name: "USER", operator: ":-", word: "me" },
      { name: "PASSWORD", operator: ":?", word: "" },
      { name: "DB", operator: ":-", word: "${USER:-me}" },
      { name: "USER", operator: ":-", word: "me" },
    ]);
    expect(variableUses("$$NOT_A_USE")).toEqual([]);
  });

  it("applies to every string value of a document, never to its keys", () => {
    expect(interpolateDocument({ "${SET}": ["${SET}", 3, { k: "$SET" }] }, vars)).toEqual({
      "${SET}": ["value", 3, { k: "value" }],
    });
  });
});
