import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "./create-db";
import { LOCK_FILE_NAME } from "./data-dir-lock";
import { migrate } from "./migrate";
import { MIGRATIONS } from "./migrations.generated";
import { selectRows } from "./raw-sql";
import { createWorkspace, getWorkspaceByName } from "./queries/workspaces";
import { testBackends } from "./testing";
import { sql } from "drizzle-orm";

const postgresUrl = process.env.TEST_DATABASE_URL;

describe("embedded database (PGlite in a data directory)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "pictograph-db-"));
  const lockPath = join(dataDir, LOCK_FILE_NAME);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("locks the directory against a second opener, hands over a stale lock, and keeps its data", async () => {
    const first = await createDb({ dataDir });
    expect(first.kind).toBe("pglite");
    expect(readFileSync(lockPath, "utf8").trim()).toBe(String(process.pid));
    await migrate(first);
    await createWorkspace(first.db, { name: "kept" });

    const started = Date.now();
    await expect(createDb({ dataDir })).rejects.toThrow(
      `Another Pictograph process (pid ${process.pid}) is using the embedded database in ${dataDir}. ` +
        `Stop it, or point PICTOGRAPH_DATA_DIR elsewhere.`,
    );
    expect(Date.now() - started).toBeLessThan(1000); // at once, without touching PGlite
    expect(readFileSync(lockPath, "utf8").trim()).toBe(String(process.pid)); // the holder keeps it

    await first.close();
    expect(existsSync(lockPath)).toBe(false);

    // A crashed process leaves its lock behind; its pid is no longer alive.
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid!;
    writeFileSync(lockPath, `${deadPid}\n`);
    const second = await createDb({ dataDir });
    try {
      expect(readFileSync(lockPath, "utf8").trim()).toBe(String(process.pid));
      await migrate(second); // already applied: nothing to do
      expect(await getWorkspaceByName(second.db, { name: "kept" })).toMatchObject({ name: "kept" });
    } finally {
      await second.close();
    }
    expect(existsSync(lockPath)).toBe(false);
  });
});

describe.each(testBackends(postgresUrl))("migrate on $name", (backend) => {
  it("is a no-op when the migrations were already applied", async () => {
    const handle = await backend.open();
    try {
      await migrate(handle);
      const [row] = await selectRows<{ applied: number }>(
        handle.db,
        sql`SELECT count(*)::int AS applied FROM drizzle.__drizzle_migrations`,
      );
      expect(row?.applied).toBe(MIGRATIONS.length);
    } finally {
      await handle.close();
    }
  });
});

describe.runIf(postgresUrl)("migrate on a shared Postgres", () => {
  it("lets processes starting together migrate one after another", async () => {
    const name = `pictograph_test_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(postgresUrl!);
    url.pathname = `/${name}`;
    const handles = await Promise.all(
      [1, 2, 3].map(() => createDb({ databaseUrl: url.toString(), dataDir: null })),
    );
    try {
      await Promise.all(handles.map((h) => migrate(h)));
      const [row] = await selectRows<{ applied: number }>(
        handles[0]!.db,
        sql`SELECT count(*)::int AS applied FROM drizzle.__drizzle_migrations`,
      );
      expect(row?.applied).toBe(MIGRATIONS.length);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
