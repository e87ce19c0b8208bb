// The published build: one ESM file and its declarations. `eager` inlines every type the
// public API uses into index.d.mts (STACK.md gotcha 6); the server's types never reach it,
// because src/ does not import them (only test/router-types.test-d.ts does).
import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts"],
  format: "esm",
  platform: "node",
  target: "node20.19",
  dts: { eager: true },
  clean: true,
});
