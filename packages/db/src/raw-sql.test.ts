import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "./create-db";
import { executeSqlText } from "./raw-sql";
import { testBackends } from "./testing";

describe.each(testBackends(process.env.TEST_DATABASE_URL))("executeSqlText on $name", (backend) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await backend.open();
    await executeSqlText(
      handle.db,
      "CREATE TABLE notes (id int PRIMARY KEY, body text, at timestamptz, data jsonb)",
    );
  });
  afterAll(() => handle?.close());

  it("binds each value to its placeholder, however often and wherever the text uses it", async () => {
    const { rows } = await executeSqlText(
      handle.db,
      `SELECT $2::int + $1::int AS sum, $2::text || '-' || $2::text AS twice,
              CASE WHEN right($3, 1) = 'Z' THEN CAST($3 AS timestamptz) END AS at,
              $4::jsonb AS data, $5::text IS NULL AS missing`,
      [1, 41, "2024-05-06T07:08:09.000Z", { tags: ["a", "b"] }, undefined],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      sum: 42,
      twice: "41-41",
      data: { tags: ["a", "b"] },
      missing: true,
    });
  });

  it("commits and rolls back with the caller's transaction", async () => {
    await handle.db.transaction(async (tx) => {
      await executeSqlText(tx, "INSERT INTO notes (id, body) VALUES ($1, $2)", [1, "kept"]);
    });
    await expect(
      handle.db.transaction(async (tx) => {
        await executeSqlText(tx, "INSERT INTO notes (id, body) VALUES ($1, $2)", [2, "dropped"]);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    const { rows } = await executeSqlText(handle.db, "SELECT id, body FROM notes ORDER BY id");
    expect(rows).toEqual([{ id: 1, body: "kept" }]);
  });
});
