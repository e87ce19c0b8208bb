import { readdirSync, readFileSync } from "node:fs";
import { constants, inflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DEFLATE_THREAD_NICE, DeflatePool } from "./deflate-pool";

/** Nice value of each of this process's threads, by thread id. */
function threadNices(): Map<string, number> {
  const nices = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    // After the command name (in parentheses): nice is the 17th field.
    nices.set(tid, Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]));
  }
  return nices;
}

describe.runIf(process.platform === "linux")("DeflatePool threads", () => {
  it("run below the priority of the thread that writes the ZIP", async () => {
    const before = threadNices();
    const pool = new DeflatePool(3, 1);
    try {
      const block = new TextEncoder().encode("abc ".repeat(1000));
      const deflated = await pool.deflateBlock(block.slice(), null);
      // A sync-flushed block of a longer stream: no final block.
      const inflated = inflateRawSync(deflated, { finishFlush: constants.Z_SYNC_FLUSH });
      expect(inflated).toEqual(Buffer.from(block));
      const started = [...threadNices()].filter(([tid]) => !before.has(tid));
      expect(started.map(([, nice]) => nice)).toContain(DEFLATE_THREAD_NICE);
      expect(threadNices().get(String(process.pid))).toBe(before.get(String(process.pid)));
    } finally {
      pool.close();
    }
  });
});
