import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Starting PGlite (WebAssembly Postgres) and real worker processes takes seconds on a
    // busy 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
