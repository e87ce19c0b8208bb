// A throwaway PostgreSQL database on the server TEST_DATABASE_URL points at, driven with the
// psql/pg_dump/pg_restore clients an operator uses. Tests create one each and drop it after;
// never touches any other database.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";

const run = promisify(execFile);

export type ScratchDatabase = {
  name: string;
  url: string;
  /** Rows of a query, each a list of column texts (psql's unaligned output). */
  query(sql: string): Promise<string[][]>;
  drop(): Promise<void>;
};

/** The same server and credentials as `testUrl`, on another database. */
export function databaseUrl(testUrl: string, database: string): string {
  const url = new URL(testUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function psql(url: string, sql: string): Promise<string[][]> {
  const { stdout } = await run("psql", [
    url,
    "-v",
    "ON_ERROR_STOP=1",
    "-X",
    "-q",
    "-A",
    "-t",
    "-F",
    "\t",
    "-c",
    sql,
  ]);
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.split("\t"));
}

export async function createScratchDatabase(
  testUrl: string,
  prefix: string,
): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  const admin = databaseUrl(testUrl, "postgres");
  await psql(admin, `CREATE DATABASE ${name}`);
  const url = databaseUrl(testUrl, name);
  return {
    name,
    url,
    query: (sql) => psql(url, sql),
    drop: async () => {
      await psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
