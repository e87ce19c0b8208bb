import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Real processes, real Postgres, real faults: one file at a time, so a fault injected by
    // one test never lands on another's processes, and timings stay readable.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
