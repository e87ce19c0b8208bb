import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The tests that run the compose services (only with TEST_DATABASE_URL) run build
    // output: build it once, before any test file starts, so no two files build at once.
    globalSetup: process.env.TEST_DATABASE_URL ? ["src/image-build.global-setup.ts"] : [],
  },
});
