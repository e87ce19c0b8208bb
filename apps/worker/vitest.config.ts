import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Real worker processes on Postgres: starting one (tsx) takes seconds on a busy 2-core
    // machine, and a killed worker's export is retried only after its job expires.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
