import type { NextConfig } from "next";
import { fileURLToPath } from "node:url";

const config: NextConfig = {
  // Internal packages are TypeScript source with no build step (STYLE.md item 1). The UI
  // imports only schema (validation, types); the API runs in src/server/main.ts.
  transpilePackages: ["@pictograph/schema"],
  // The image runs our own server (dist/server.mjs, see tsdown.config.ts) against this
  // trimmed copy of the build: .next/standalone holds the UI's server files and the traced
  // node_modules Next needs; the rest of the workspace stays out of the image.
  output: "standalone",
  // The workspace root, so files traced from packages/* and the root node_modules are kept.
  outputFileTracingRoot: fileURLToPath(new URL("../..", import.meta.url)),
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: true }, // `pnpm typecheck` checks types; the build need not do it twice.
};

export default config;
