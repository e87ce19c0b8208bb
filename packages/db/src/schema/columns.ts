// Column builders and CHECK helpers shared by the table definitions. Schema only: no queries.
import { sql, type SQL } from "drizzle-orm";
import { check, customType, timestamp, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";

/** Random uuid primary key; gen_random_uuid() is built into PostgreSQL 13+ and PGlite. */
export const uuidPrimaryKey = () => uuid().primaryKey().defaultRandom();

export const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const updatedAt = () =>
  timestamp({ withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdateFn(() => sql`now()`);

export const optionalTimestamp = () => timestamp({ withTimezone: true });

/**
 * Text compared and sorted byte by byte (COLLATE "C"). Keyset pages and every export's file
 * order must not depend on the server's locale: PGlite and a Postgres created with en_US
 * would otherwise sort `B` and `a` differently.
 */
export const byteOrderText = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' });

/** CHECK that a text column holds one of `values` (NULL passes, as CHECK does in SQL). */
export function checkOneOf(name: string, column: AnyPgColumn, values: readonly string[]) {
  return check(name, sql`${column} IN (${sqlStringList(values)})`);
}

function sqlStringList(values: readonly string[]): SQL {
  // The values are compile-time enums from @pictograph/schema, never user input.
  return sql.raw(values.map((v) => `'${v.replaceAll("'", "''")}'`).join(", "));
}
