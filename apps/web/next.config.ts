import type { NextConfig } from "next";

const config: NextConfig = {
  // Internal packages are TypeScript source with no build step (STYLE.md item 1).
  transpilePackages: [
    "@pictograph/api",
    "@pictograph/db",
    "@pictograph/exporter",
    "@pictograph/formats",
    "@pictograph/jobs",
    "@pictograph/schema",
    "@pictograph/storage",
  ],
  output: "standalone",
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: true }, // `pnpm typecheck` checks types; the build need not do it twice.
};

export default config;
