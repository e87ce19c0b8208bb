// A fresh PostgreSQL database for one run of the exports benchmark, created from an admin
// connection and migrated, then dropped when the run ends, failed or not. It must never
// touch a database it did not create.
import { createDb, migrate, type PostgresHandle } from "@pictograph/db";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";

export type BenchDatabase = {
  name: string;
  url: string;
  handle: PostgresHandle;
  /** Closes the pool and drops the database; safe to call twice. */
  drop(): Promise<void>;
  /** The same, from a signal handler that cannot wait for promises. */
  dropNow(): void;
};

async function runOnServer(adminUrl: string, statement: string): Promise<void> {
  const admin = await createDb({ databaseUrl: adminUrl, dataDir: null, poolMax: 1 });
  try {
    if (admin.kind === "postgres") await admin.pool.query(statement);
  } finally {
    await admin.close();
  }
}

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `pictograph_bench_${randomBytes(6).toString("hex")}`;
  await runOnServer(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dropStatement = `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`;
  let dropped = false;
  let handle: PostgresHandle | null = null;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await handle?.close();
    await runOnServer(adminUrl, dropStatement);
  };
  try {
    const opened = await createDb({ databaseUrl: url.toString(), dataDir: null, poolMax: 4 });
    if (opened.kind !== "postgres") throw new Error("expected a PostgreSQL handle");
    handle = opened;
    await migrate(handle);
  } catch (error) {
    await drop();
    throw error;
  }
  return {
    name,
    url: url.toString(),
    handle,
    drop,
    dropNow() {
      if (dropped) return;
      dropped = true;
      spawnSync("psql", [adminUrl, "-X", "-q", "-c", dropStatement], { stdio: "ignore" });
    },
  };
}
