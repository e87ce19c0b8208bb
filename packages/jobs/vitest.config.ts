import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Starting PGlite and pg-boss takes a few seconds on a busy 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
