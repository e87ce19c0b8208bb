import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeZodError, MAX_LISTED_ISSUES } from "./errors";

describe("describeZodError", () => {
  it("names each field in one line", () => {
    const result = z.object({ name: z.string(), size: z.number() }).safeParse({ size: "big" });
    const { message, issues } = describeZodError(result.error!);
    expect(issues.map((i) => i.path)).toEqual(["name", "size"]);
    expect(message).toMatch(/^name: .*; size: /);
  });

  it("lists the first issues of a huge wrong array and counts the rest", () => {
    const result = z.array(z.string()).safeParse(Array.from({ length: 100_000 }, (_, i) => i));
    const { message, issues } = describeZodError(result.error!);
    expect(issues).toHaveLength(MAX_LISTED_ISSUES);
    expect(issues[0]!.path).toBe("0");
    expect(message).toMatch(/; and 99980 more problems$/);
    expect(message.length).toBeLessThan(2_000);
  });
});
