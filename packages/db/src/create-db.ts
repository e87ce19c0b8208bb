// createDb(): the one place that knows which database we run on. node-postgres when a
// DATABASE_URL is given, otherwise PGlite in the data directory (embedded mode, DESIGN.md
// "Runtime modes"). Takes its configuration as arguments: it never reads process.env.
import { PGlite } from "@electric-sql/pglite";
import type { Logger } from "drizzle-orm";
import { drizzle as drizzleNodePostgres } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { join, resolve } from "node:path";
import pg from "pg";
import { lockDataDir } from "./data-dir-lock";

/** A drizzle database on either driver; every query function accepts it. */
export type Db = PgDatabase<PgQueryResultHKT>;
/** A drizzle transaction on either driver. */
export type Tx = PgTransaction<PgQueryResultHKT>;
/** What query functions take first, so they run alone or inside a caller's transaction. */
export type DbOrTx = Db | Tx;

type HandleBase = { db: Db; close(): Promise<void> };
export type PgliteHandle = HandleBase & {
  kind: "pglite";
  pglite: PGlite;
  /** The Pictograph data directory, or null for an in-memory database. */
  dataDir: string | null;
};
export type PostgresHandle = HandleBase & { kind: "postgres"; pool: pg.Pool; databaseUrl: string };
export type DbHandle = PgliteHandle | PostgresHandle;

export type CreateDbOptions = {
  /** PostgreSQL connection string; when set, PGlite is not used. */
  databaseUrl?: string | null;
  /**
   * Pictograph data directory (PICTOGRAPH_DATA_DIR) for the embedded database, which lives
   * in `<dataDir>/pgdata` beside the lock file. `null`: an in-memory database (tests).
   */
  dataDir: string | null;
  /** Starts an in-memory PGlite from this dump (`pglite.dumpDataDir()`); tests use it to skip initdb. */
  initialData?: Blob;
  /** Maximum node-postgres connections. */
  poolMax?: number;
  /** Sees every statement drizzle sends (tests count round trips with it). */
  logger?: Logger;
};

// One casing rule for the schema, drizzle-kit and every query: TS camelCase, SQL snake_case.
const casing = "snake_case" as const;

export async function createDb(options: CreateDbOptions): Promise<DbHandle> {
  if (options.databaseUrl) return createPostgresDb(options.databaseUrl, options);
  return createPgliteDb(options.dataDir === null ? null : resolve(options.dataDir), options);
}

function createPostgresDb(databaseUrl: string, options: CreateDbOptions): PostgresHandle {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolMax ?? 10 });
  // An idle client that loses its connection emits here; without a listener it would crash
  // the process. The next query gets a fresh connection.
  pool.on("error", () => {});
  const db = drizzleNodePostgres({ client: pool, casing, logger: options.logger });
  let closed = false;
  return {
    kind: "postgres",
    db,
    pool,
    databaseUrl,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

async function createPgliteDb(
  dataDir: string | null,
  options: CreateDbOptions,
): Promise<PgliteHandle> {
  const lock = dataDir === null ? null : lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    pglite =
      dataDir === null
        ? new PGlite({ loadDataDir: options.initialData })
        : new PGlite(join(dataDir, "pgdata"));
    await pglite.waitReady;
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzlePglite({ client: pglite, casing, logger: options.logger });
  return {
    kind: "pglite",
    db,
    pglite,
    dataDir,
    async close() {
      try {
        if (!pglite.closed) await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}
