// The `pictograph` binary: src/main.ts and everything it imports — the SDK's build, the
// internal source packages (formats, schema) and their npm dependencies — in one ESM file
// with its shebang, so `node dist/main.mjs` needs nothing from the workspace at run time.
// A plain object: tsdown is reached through the SDK's dev dependencies (see package.json's
// build script), so this package cannot import its types.
export default {
  entry: { main: "src/main.ts" },
  format: "esm",
  platform: "node",
  target: "node20.19",
  outExtensions: () => ({ js: ".mjs" }),
  deps: { alwaysBundle: () => true, onlyBundle: false },
  shims: true,
  dts: false,
  clean: true,
};
