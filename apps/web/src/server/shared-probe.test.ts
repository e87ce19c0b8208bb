import { describe, expect, it } from "vitest";
import { sharedProbe } from "./shared-probe";

describe("sharedProbe", () => {
  it("runs once for callers that arrive while it runs, and again once its answer is too old", async () => {
    let clock = 0;
    let runs = 0;
    let finish!: (value: string) => void;
    const probe = sharedProbe(
      () => {
        runs++;
        return new Promise<string>((resolve) => (finish = resolve));
      },
      1_000,
      () => clock,
    );
    const waiting = Array.from({ length: 50 }, () => probe());
    clock = 5_000; // a slow probe: callers during it still share it
    waiting.push(probe());
    finish("first");
    expect(await Promise.all(waiting)).toEqual(Array(51).fill("first"));
    expect(runs).toBe(1);

    clock = 5_900;
    expect(await probe()).toBe("first");
    expect(runs).toBe(1);

    clock = 6_001;
    const again = probe();
    finish("second");
    expect(await again).toBe("second");
    expect(runs).toBe(2);
  });
});
