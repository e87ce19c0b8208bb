// Raw SQL on either driver: rows from a drizzle `sql` query, and statements written with
// $1…$n placeholders by other libraries (pg-boss) run on a db or inside a transaction.
import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "./create-db";

/** Rows of a raw query. Both drivers answer `execute` with an object holding `rows`. */
export async function selectRows<Row>(db: DbOrTx, query: SQL): Promise<Row[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: Row[] }).rows;
}

/**
 * Runs one statement written with `$1…$n` placeholders on `db`, or inside a transaction when
 * given one, so the statement commits or rolls back with the caller's work.
 *
 * drizzle numbers its parameters itself, in the order they appear, and the text may use one
 * placeholder several times (pg-boss reuses `$5`), so the values cannot be spliced where the
 * placeholders are. Instead the text goes through untouched and the values are rendered, in
 * order, inside a trailing SQL comment: drizzle emits them as `$1…$n` and sends them, the
 * server binds them to the placeholders in the text and ignores the comment.
 */
export async function executeSqlText(
  db: DbOrTx,
  text: string,
  values: readonly unknown[] = [],
): Promise<{ rows: Record<string, unknown>[] }> {
  const params = values.map((value) => sql.param(value === undefined ? null : value));
  const query =
    params.length === 0
      ? sql.raw(text)
      : sql`${sql.raw(text)}\n/* ${sql.join(params, sql.raw(", "))} */`;
  return { rows: await selectRows<Record<string, unknown>>(db, query) };
}
