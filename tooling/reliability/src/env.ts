// The reliability suite's settings, set by scripts/reliability.ts (`pnpm test:reliability`).
const env = process.env;

/** `--full`: the long-running variants (more exports, more kills, more fuzz cases). */
export const FULL = env.RELIABILITY_FULL === "true";

/** A PostgreSQL server the suite may create and drop databases on. */
export const DATABASE_URL = env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Where each test file writes the figures docs/reliability.md quotes (one JSON per file). */
export const FIGURES_DIR = env.RELIABILITY_FIGURES_DIR;
