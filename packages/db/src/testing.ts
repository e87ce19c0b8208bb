// Test databases for this package's tests and for every package that tests against the db:
// each run gets a fresh, migrated database on PGlite (always) and on real Postgres (when a
// URL is given, e.g. TEST_DATABASE_URL), and leaves nothing behind. For tests only.
import type { Logger } from "drizzle-orm";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createDb, type DbHandle, type DbOrTx } from "./create-db";
import { migrate } from "./migrate";
import { MIGRATIONS } from "./migrations.generated";
import { createWorkspace } from "./queries/workspaces";

export type TestBackend = {
  name: "pglite" | "postgres";
  /** A fresh, migrated database; close() discards it. */
  open(options?: { logger?: Logger }): Promise<DbHandle>;
};

/**
 * PGlite always; Postgres too when `postgresUrl` is set. Use with
 * `describe.each(testBackends(process.env.TEST_DATABASE_URL))("… on $name", (backend) => …)`.
 */
export function testBackends(postgresUrl: string | undefined): TestBackend[] {
  const backends: TestBackend[] = [{ name: "pglite", open: openPgliteTestDb }];
  if (postgresUrl)
    backends.push({
      name: "postgres",
      open: (options) => openPostgresTestDb(postgresUrl, options),
    });
  return backends;
}

/** Runs `fn` with a fresh database on `backend` and discards the database afterwards. */
export async function withTestDb<T>(
  backend: TestBackend,
  fn: (handle: DbHandle) => Promise<T>,
): Promise<T> {
  const handle = await backend.open();
  try {
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

/**
 * Creating a PGlite cluster (initdb) costs seconds on a busy 2-core machine; loading a dump
 * of a migrated one costs a third of that. The dump is cached in the temp directory under a
 * hash of the migrations, so a changed migration never meets an old template.
 */
async function openPgliteTestDb(options?: { logger?: Logger }): Promise<DbHandle> {
  const templatePath = join(tmpdir(), `pictograph-pglite-template-${migrationsHash()}.tar`);
  if (existsSync(templatePath)) {
    try {
      const initialData = new Blob([readFileSync(templatePath)]);
      return await createDb({ dataDir: null, initialData, logger: options?.logger });
    } catch {
      // Unreadable or from another PGlite version: build a fresh one below.
    }
  }
  const handle = await createDb({ dataDir: null, logger: options?.logger });
  await migrate(handle);
  if (handle.kind === "pglite") {
    const dump = Buffer.from(await (await handle.pglite.dumpDataDir("none")).arrayBuffer());
    // Write then rename, so a parallel test file never reads half a template.
    const partial = `${templatePath}.${process.pid}.${randomUUID()}`;
    writeFileSync(partial, dump);
    renameSync(partial, templatePath);
  }
  return handle;
}

function migrationsHash(): string {
  const hash = createHash("sha256");
  for (const migration of MIGRATIONS) hash.update(migration.tag).update(migration.sql);
  return hash.digest("hex").slice(0, 16);
}

/** A database of its own per call, so test files can run in parallel; dropped on close(). */
async function openPostgresTestDb(
  serverUrl: string,
  options?: { logger?: Logger },
): Promise<DbHandle> {
  const name = `pictograph_test_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await runOnServer(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let handle: DbHandle;
  try {
    handle = await createDb({
      databaseUrl: url.toString(),
      dataDir: null,
      poolMax: 4,
      logger: options?.logger,
    });
    await migrate(handle);
  } catch (error) {
    await runOnServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    throw error;
  }
  const closeHandle = handle.close.bind(handle);
  handle.close = async () => {
    await closeHandle();
    await runOnServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
  return handle;
}

async function runOnServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A workspace with a unique name, so tests sharing one database never collide. */
export async function createTestWorkspace(db: DbOrTx): Promise<{ id: string; name: string }> {
  return createWorkspace(db, { name: `ws-${randomUUID().slice(0, 8)}` });
}
