import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Builds dist/main.mjs and starts one real server (7–30 s on a busy 2-core machine).
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
