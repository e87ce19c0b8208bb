// pg-boss's `db` option over Pictograph's own connections, so the queue lives in the same
// database on both backends: PGlite in-process, or the node-postgres pool.
import type { PGlite } from "@electric-sql/pglite";
import { executeSqlText, type DbHandle, type DbOrTx } from "@pictograph/db";
import type PgBoss from "pg-boss";

export function bossDbFor(handle: DbHandle): PgBoss.Db {
  return handle.kind === "pglite"
    ? pgliteBossDb(handle.pglite)
    : { executeSql: (text, values) => handle.pool.query(text, values) };
}

/**
 * PGlite answers parameterised statements with `query` but runs pg-boss's multi-statement
 * scripts (schema creation, locked maintenance) only through `exec`.
 */
function pgliteBossDb(pglite: PGlite): PgBoss.Db {
  return {
    async executeSql(text, values) {
      if (values && values.length > 0) return { rows: (await pglite.query(text, values)).rows };
      try {
        const results = await pglite.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      } catch (error) {
        // A script that failed after its BEGIN would leave the one shared session inside an
        // aborted transaction, failing every later query of the whole app.
        await pglite.exec("ROLLBACK").catch(() => undefined);
        throw error;
      }
    },
  };
}

/** Runs pg-boss's statements on a drizzle db or inside a caller's transaction. */
export function transactionBossDb(tx: DbOrTx): PgBoss.Db {
  return { executeSql: (text, values) => executeSqlText(tx, text, values) };
}

/** pg-boss's statements, with a way to wait for those still running. */
export function trackWrites(db: PgBoss.Db): { db: PgBoss.Db; settled(): Promise<void> } {
  const running = new Set<Promise<unknown>>();
  return {
    db: {
      executeSql(text, values) {
        const statement = db.executeSql(text, values);
        running.add(statement);
        // A failure is the caller's to handle; here it only ends the wait.
        statement.then(
          () => running.delete(statement),
          () => running.delete(statement),
        );
        return statement;
      },
    },
    async settled() {
      await Promise.allSettled([...running]);
    },
  };
}
