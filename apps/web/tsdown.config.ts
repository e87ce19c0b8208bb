// The web server and the admin command for the image: src/server/main.ts and src/admin.ts
// with every internal package and npm dependency in dist/*.mjs, except Next (and React),
// loaded from the node_modules that `next build` traced into .next/standalone. PGlite
// (embedded mode) finds its WebAssembly and data files beside the bundle. No import from
// "tsdown" here: this package reaches tsdown only through its build script (package.json),
// so tsc must not need it.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const fromDb = createRequire(fileURLToPath(import.meta.resolve("@pictograph/db")));
const pgliteDist = dirname(fromDb.resolve("@electric-sql/pglite"));

export default {
  cwd: import.meta.dirname,
  entry: { server: "src/server/main.ts", admin: "src/admin.ts" },
  format: "esm",
  platform: "node",
  target: "node20.19",
  outExtensions: () => ({ js: ".mjs" }),
  deps: {
    alwaysBundle: (id: string) => !/^(next|react|react-dom)(\/|$)/.test(id),
    onlyBundle: false,
    // pg loads its optional native binding only when asked for pg.native; we never ask.
    neverBundle: [/^(next|react|react-dom)(\/|$)/, "pg-native"],
  },
  copy: ["pglite.wasm", "pglite.data", "initdb.wasm"].map((file) => join(pgliteDist, file)),
  // PGlite's Emscripten runtime uses direct eval; it is not ours to change.
  checks: { eval: false },
  shims: true,
  dts: false,
  clean: true,
};
