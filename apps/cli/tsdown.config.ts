// The `pictograph` binary: src/main.ts and everything it imports — the SDK's build, the
// internal source packages (formats, schema) and their npm dependencies — in one ESM file
// with its shebang, so `node dist/main.mjs` needs nothing from the workspace at run time.
import { defineConfig } from "tsdown";

export default defineConfig({
  entry: { main: "src/main.ts" },
  format: "esm",
  platform: "node",
  target: "node20.19",
  outExtensions: () => ({ js: ".mjs" }),
  deps: { alwaysBundle: () => true, onlyBundle: false },
  shims: true,
  dts: false,
  clean: true,
});
