// The worker and `migrate` for the image: src/main.ts and src/migrate.ts with every internal
// package and npm dependency in dist/*.mjs, so `node dist/main.mjs` needs no node_modules.
// PGlite (imported by @pictograph/db, unused without a data directory) finds its WebAssembly
// and data files beside the bundle. No import from "tsdown" here: this package reaches
// tsdown only through its build script (see package.json), so tsc must not need it.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const fromDb = createRequire(fileURLToPath(import.meta.resolve("@pictograph/db")));
const pgliteDist = dirname(fromDb.resolve("@electric-sql/pglite"));

export default {
  cwd: import.meta.dirname,
  entry: { main: "src/main.ts", migrate: "src/migrate.ts" },
  format: "esm",
  platform: "node",
  target: "node20.19",
  outExtensions: () => ({ js: ".mjs" }),
  // pg loads its optional native binding only when asked for pg.native; we never ask.
  deps: { alwaysBundle: () => true, onlyBundle: false, neverBundle: ["pg-native"] },
  copy: ["pglite.wasm", "pglite.data", "initdb.wasm"].map((file) => join(pgliteDist, file)),
  // PGlite's Emscripten runtime uses direct eval; it is not ours to change.
  checks: { eval: false },
  shims: true,
  dts: false,
  clean: true,
};
