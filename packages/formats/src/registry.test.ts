import { FORMATS } from "@pictograph/schema";
import { describe, expect, it } from "vitest";
import { formatModules, getFormat, UnsupportedFormatError } from "./registry";

describe("format registry", () => {
  it("gives each registered format under its own id, with a description", () => {
    for (const id of ["pictograph", "coco", "yolo", "csv"] as const) {
      const module = getFormat(id);
      expect(module.id).toBe(id);
      expect(module.description.length).toBeGreaterThan(20);
    }
  });

  it("refuses a format that has no module yet, naming it", () => {
    const missing = FORMATS.filter((id) => !formatModules[id]);
    for (const id of missing) expect(() => getFormat(id)).toThrow(UnsupportedFormatError);
  });
});
