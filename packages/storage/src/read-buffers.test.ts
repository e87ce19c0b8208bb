import { describe, expect, it } from "vitest";
import { ReadBuffers } from "./read-buffers";

describe("ReadBuffers", () => {
  it("lends a buffer of the size asked for, backed by the next power of two", () => {
    const buffers = new ReadBuffers(1 << 20);
    const bytes = buffers.take(200_000);
    expect(bytes.byteLength).toBe(200_000);
    expect(bytes.buffer.byteLength).toBe(262_144);
  });

  it("lends a buffer again only once it is given back, and only once", () => {
    const buffers = new ReadBuffers(1 << 20);
    const first = buffers.take(100_000);
    const second = buffers.take(100_000);
    expect(second.buffer).not.toBe(first.buffer);

    buffers.giveBack(first.subarray(0, 10));
    buffers.giveBack(first);
    const again = buffers.take(120_000);
    expect(again.buffer).toBe(first.buffer);
    // Given back twice, but idle once: the next one is new.
    expect(buffers.take(100_000).buffer).not.toBe(first.buffer);
  });

  it("leaves alone what it did not lend, and keeps no more idle bytes than it is told", () => {
    const buffers = new ReadBuffers(300_000);
    const foreign = Buffer.allocUnsafeSlow(131_072);
    buffers.giveBack(foreign);
    expect(buffers.take(131_072).buffer).not.toBe(foreign.buffer);

    const [a, b] = [buffers.take(131_072), buffers.take(131_072)];
    const c = buffers.take(131_072);
    for (const chunk of [a, b, c]) buffers.giveBack(chunk);
    // Two of 128 KiB fit in 300,000 bytes; the third was let go.
    const taken = [buffers.take(131_072), buffers.take(131_072), buffers.take(131_072)];
    expect(taken[0]!.buffer).toBe(b.buffer);
    expect(taken[1]!.buffer).toBe(a.buffer);
    expect(taken[2]!.buffer).not.toBe(c.buffer);
  });
});
