import { describe, expect, it } from "vitest";
import { clipBox } from "./geometry";

describe("clipBox", () => {
  it("keeps the numbers of a box inside the image exactly", () => {
    const box = { x: 1435.09, y: 992.69, w: 457.19, h: 54.89 };
    // (x + w) - x is 457.19000000000005 in floating point: it must not reach the export.
    expect(box.x + box.w - box.x).not.toBe(box.w);
    expect(clipBox(box, 1920, 1080)).toBe(box);
    expect(clipBox({ x: 0, y: 0, w: 1920, h: 1080 }, 1920, 1080)).toEqual({
      x: 0,
      y: 0,
      w: 1920,
      h: 1080,
    });
  });

  it("cuts only the sides that leave the image", () => {
    expect(clipBox({ x: 1435.09, y: -10, w: 600, h: 54.89 }, 1920, 1080)).toEqual({
      x: 1435.09,
      y: 0,
      w: 1920 - 1435.09,
      h: 44.89,
    });
    expect(clipBox({ x: -5, y: 992.69, w: 10, h: 54.89 }, 1920, 1080)).toEqual({
      x: 0,
      y: 992.69,
      w: 5,
      h: 54.89,
    });
  });

  it("gives null when nothing of the box is inside", () => {
    expect(clipBox({ x: 1920, y: 0, w: 10, h: 10 }, 1920, 1080)).toBeNull();
    expect(clipBox({ x: -20, y: 0, w: 10, h: 10 }, 1920, 1080)).toBeNull();
    expect(clipBox({ x: 5, y: 5, w: 0, h: 10 }, 1920, 1080)).toBeNull();
  });
});
