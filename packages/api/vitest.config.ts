import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // PGlite (WebAssembly Postgres) and pg-boss start in seconds on a busy 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
