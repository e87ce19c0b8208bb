// The database half of docs/self-hosting.md's backup and restore procedure, run as written:
// pg_dump in custom format, then pg_restore with the guide's flags into an empty database,
// including one that replaced a new install's already migrated database (dropdb, createdb):
// `pg_restore --clean` over pg-boss's partitioned tables fails, which is why the guide
// recreates the database instead. Every table of every schema must come back identical, and
// the restored install must still serve its API key. Runs only when TEST_DATABASE_URL is
// set (then vitest's global setup builds what the services run); creates and drops its own
// databases.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "@pictograph/test-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCompose } from "./compose-file";
import { readDockerfile } from "./dockerfile";
import { sampleDotEnv } from "./sample-dot-env";
import { createScratchDatabase, databaseUrl, psql, type ScratchDatabase } from "./scratch-database";
import { runServiceToCompletion, serviceProcessSpec, startServiceProcess } from "./service-process";

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
const run = promisify(execFile);

/** The guide's commands, minus `docker compose exec -T postgres`. */
const PG_DUMP_FLAGS = ["--format=custom", "--no-owner"];
const PG_RESTORE_FLAGS = ["--no-owner", "--single-transaction", "--exit-on-error"];

/** Every table's row count and an order-independent digest of its rows, by schema.table. */
async function snapshot(url: string): Promise<Record<string, string>> {
  const tables = await psql(
    url,
    `SELECT table_schema || '.' || table_name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  const digests: Record<string, string> = {};
  for (const [table] of tables) {
    const [[count, digest] = []] = await psql(
      url,
      `SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ${table!} t`,
    );
    digests[table!] = `${count} rows, ${digest}`;
  }
  return digests;
}

describe.skipIf(!TEST_DATABASE_URL)("backup and restore (docs/self-hosting.md)", () => {
  const databases: ScratchDatabase[] = [];
  let workDir: string;
  let dumpFile: string;
  let source: ScratchDatabase;
  let before: Record<string, string>;
  let apiKey = "";

  const spec = (
    service: string,
    databaseUrl: string,
    hostDifferences: Record<string, string> = {},
  ) =>
    serviceProcessSpec({
      compose: loadCompose({ ...sampleDotEnv(), DATABASE_URL: databaseUrl }),
      dockerfile: readDockerfile(),
      service,
      dotEnv: { ...sampleDotEnv(), DATABASE_URL: databaseUrl },
      hostDifferences: { PICTOGRAPH_DATA_DIR: workDir, HOST: "127.0.0.1", ...hostDifferences },
      host: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? tmpdir() },
    });

  async function migrate(database: ScratchDatabase) {
    const result = await runServiceToCompletion("migrate", spec("migrate", database.url), 60_000);
    expect(result.code, result.output).toBe(0);
  }

  async function scratch(): Promise<ScratchDatabase> {
    const database = await createScratchDatabase(TEST_DATABASE_URL!, "pictograph_restore");
    databases.push(database);
    return database;
  }

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "pictograph-backup-"));
    dumpFile = join(workDir, "pictograph.dump");
    source = await scratch();
    await migrate(source);
    const admin = async (...args: string[]) => {
      const base = spec("web", source.url);
      const result = await runServiceToCompletion(
        "admin",
        { ...base, argv: ["node", "dist/admin.mjs", ...args] },
        60_000,
      );
      expect(result.code, result.output).toBe(0);
      return result.output;
    };
    await admin("create-workspace", "backup");
    apiKey = /^(pg_\S+)$/m.exec(
      await admin("create-api-key", "--workspace", "backup", "--role", "viewer"),
    )![1]!;
    await source.query(
      `INSERT INTO datasets (workspace_id, name, description)
       SELECT id, 'kept-' || n, 'ünïcödé, "quotes" and a | pipe' FROM workspaces, generate_series(1, 3) n WHERE name = 'backup'`,
    );
    before = await snapshot(source.url);
    await run("pg_dump", [...PG_DUMP_FLAGS, `--file=${dumpFile}`, source.url]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(databases.map((database) => database.drop()));
    rmSync(workDir, { recursive: true, force: true });
  });

  it("the backup holds the application's tables, the queue's and the migration journal", () => {
    const tables = Object.keys(before);
    expect(tables).toEqual(
      expect.arrayContaining([
        "public.workspaces",
        "public.api_keys",
        "public.datasets",
        "public.exports",
      ]),
    );
    expect(tables.some((table) => table.startsWith("pgboss."))).toBe(true);
    expect(tables.some((table) => table.startsWith("drizzle."))).toBe(true);
    expect(before["public.datasets"]).toMatch(/^3 rows/);
  });

  it("restores into an empty database, every table identical", async () => {
    const target = await scratch();
    await run("pg_restore", [...PG_RESTORE_FLAGS, `--dbname=${target.url}`, dumpFile]);
    expect(await snapshot(target.url)).toEqual(before);
    // A database, a restore and a snapshot: past vitest's 5 s on a slow shared machine.
  }, 120_000);

  it("restores onto a new install that already ran migrate, which then has nothing left to do", async () => {
    const target = await scratch();
    await migrate(target);
    expect(await snapshot(target.url)).not.toEqual(before);
    // The guide's "start from an empty database" step.
    const maintenance = `--maintenance-db=${databaseUrl(TEST_DATABASE_URL!, "postgres")}`;
    await run("dropdb", [maintenance, "--force", target.name]);
    await run("createdb", [maintenance, target.name]);
    await run("pg_restore", [...PG_RESTORE_FLAGS, `--dbname=${target.url}`, dumpFile]);
    expect(await snapshot(target.url)).toEqual(before);

    // migrate re-applies each queue's settings (pg-boss stamps updated_on); nothing else moves.
    const queues =
      "SELECT name, policy, retry_limit, expire_seconds FROM pgboss.queue ORDER BY name";
    const queuesBefore = await target.query(queues);
    await migrate(target);
    const { "pgboss.queue": _queue, ...afterMigrate } = await snapshot(target.url);
    const { "pgboss.queue": _before, ...restored } = before;
    expect(afterMigrate).toEqual(restored);
    expect(await target.query(queues)).toEqual(queuesBefore);

    // The restored install serves the old API key and its data.
    const port = await freePort();
    const web = startServiceProcess(
      "web",
      spec("web", target.url, { PORT: String(port), PICTOGRAPH_UI: "false" }),
    );
    try {
      await web.waitFor(/\[pictograph\] ready on/, 60_000);
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/datasets`, {
        headers: { "x-api-key": apiKey },
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: { name: string }[] };
      expect(body.data.map((d) => d.name)).toEqual(["kept-1", "kept-2", "kept-3"]);
    } finally {
      expect(await web.stop()).toBe(0);
    }
  }, 120_000);
});
