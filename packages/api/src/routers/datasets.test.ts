// Datasets over REST: create (with classes), list by name with keyset pages, get with image
// counts by status, rename and re-describe, delete with everything in it; and the refusals
// a user meets (bad names, duplicates, wrong types), each naming the field and the rule.
import { testBackends } from "@pictograph/db/testing";
import type { Dataset } from "@pictograph/schema";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pngFile } from "../test-images";
import {
  callRest,
  expectError,
  expectOk,
  openTestApi,
  provisionWorkspace,
  type TestApi,
  type TestWorkspace,
} from "../testing";

type Page = { data: Dataset[]; next_cursor: string | null };

describe.each(testBackends(process.env.TEST_DATABASE_URL))("datasets on $name", (backend) => {
  let t: TestApi;
  let ws: TestWorkspace;
  let key: string;
  const call = (method: string, path: string, json?: unknown) =>
    callRest(t.api, method, path, { key, json });

  beforeAll(async () => {
    t = await openTestApi(backend, { recordJobs: true });
    ws = await provisionWorkspace(t.db);
    key = ws.keys.admin;
  });
  afterAll(() => t?.close());
  afterEach(() => expect(t.internalErrors).toEqual([]));

  it("creates a dataset with its classes in order and answers with zero counts", async () => {
    const created = expectOk<Dataset>(
      await call("POST", "/datasets", {
        name: "street.v1",
        description: "city streets",
        classes: [
          { name: "car", color: "#ff0000" },
          { name: "person", color: "#00ff00", keypoints: ["head", "foot"] },
        ],
      }),
      201,
    );
    expect(created).toMatchObject({
      name: "street.v1",
      description: "city streets",
      image_counts: { total: 0, new: 0, in_progress: 0, complete: 0 },
    });
    expect(created.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(expectOk(await call("GET", "/datasets/street.v1"))).toEqual(created);
    const classes = expectOk<{ name: string; position: number; keypoints: string[] | null }[]>(
      await call("GET", "/datasets/street.v1/classes"),
    );
    expect(classes.map((c) => [c.name, c.position, c.keypoints])).toEqual([
      ["car", 0, null],
      ["person", 1, ["head", "foot"]],
    ]);
    // Without classes or description.
    expect(
      expectOk<Dataset>(await call("POST", "/datasets", { name: "bare" }), 201).description,
    ).toBe("");
  });

  it("refuses a taken name with 409 and bad input with 422 naming the field and the rule", async () => {
    expectOk(await call("POST", "/datasets", { name: "taken" }), 201);
    expect(expectError(await call("POST", "/datasets", { name: "taken" }), 409, "conflict")).toBe(
      'dataset "taken" already exists',
    );
    // Names are case-sensitive.
    expectOk(await call("POST", "/datasets", { name: "Taken" }), 201);

    const cases: [body: unknown, message: RegExp][] = [
      [{}, /dataset name must be a string/],
      [{ name: 42 }, /dataset name must be a string/],
      [{ name: "" }, /dataset name must be 1–64 characters/],
      [{ name: "a".repeat(65) }, /dataset name must be 1–64 characters/],
      [{ name: "with space" }, /dataset name must be 1–64 characters of a-z, A-Z, 0-9/],
      [{ name: ".hidden" }, /starting with a letter or digit/],
      [
        { name: "ok", description: "x".repeat(2001) },
        /description must be at most 2000 characters/,
      ],
      [{ name: "ok", description: 7 }, /description/],
      [{ name: "ok", classes: "car" }, /classes/],
      [{ name: "ok", classes: [{ name: "car", color: "red" }] }, /color must be #rrggbb/],
      [{ name: "ok", classes: [{ name: "car" }] }, /classes\.0\.color/],
      [
        { name: "ok", classes: [{ name: "", color: "#000000" }] },
        /class name must be 1–120 characters/,
      ],
      [
        {
          name: "ok",
          classes: [
            { name: "car", color: "#000000" },
            { name: "car", color: "#111111" },
          ],
        },
        /class "car" is listed twice/,
      ],
    ];
    for (const [body, message] of cases) {
      const refused = expectError(await call("POST", "/datasets", body), 422, "validation_error");
      expect(refused, JSON.stringify(body)).toMatch(message);
    }
    expectError(await call("GET", "/datasets/ok"), 404, "not_found");
  });

  it("lists datasets by name in keyset pages and validates the page parameters", async () => {
    const other = await provisionWorkspace(t.db);
    const names = ["b-2", "a-1", "d-4", "c-3", "e-5"];
    for (const name of names)
      expectOk(
        await callRest(t.api, "POST", "/datasets", { key: other.keys.member, json: { name } }),
        201,
      );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const page: Page = expectOk<Page>(
        await callRest(t.api, "GET", `/datasets${query}`, { key: other.keys.viewer }),
      );
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((d) => d.name));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual([...names].sort());
    expect(pages).toBe(3);

    for (const [query, message] of [
      ["?limit=0", /limit must be between 1 and 200/],
      ["?limit=201", /limit must be between 1 and 200/],
      ["?limit=abc", /limit/],
      ["?limit=1.5", /limit/],
    ] as const) {
      expect(
        expectError(
          await callRest(t.api, "GET", `/datasets${query}`, { key: other.keys.viewer }),
          422,
          "validation_error",
        ),
      ).toMatch(message);
    }
  });

  it("counts images by status", async () => {
    expectOk(await call("POST", "/datasets", { name: "counted" }), 201);
    const statuses = ["new", "new", "in_progress", "complete", "complete", "complete"];
    for (const [i, status] of statuses.entries()) {
      expectOk(
        await callRest(t.api, "PUT", `/datasets/counted/images/img${i}.png?status=${status}`, {
          key,
          body: pngFile(2, 2),
        }),
        201,
      );
    }
    const dataset = expectOk<Dataset>(await call("GET", "/datasets/counted"));
    expect(dataset.image_counts).toEqual({ total: 6, new: 2, in_progress: 1, complete: 3 });
    const listed = expectOk<Page>(await call("GET", "/datasets?limit=200")).data.find(
      (d) => d.name === "counted",
    );
    expect(listed?.image_counts).toEqual(dataset.image_counts);
    // A status change moves the count.
    expectOk(await call("PATCH", "/datasets/counted/images/img0.png", { status: "complete" }));
    expect(expectOk<Dataset>(await call("GET", "/datasets/counted")).image_counts).toEqual({
      total: 6,
      new: 1,
      in_progress: 1,
      complete: 4,
    });
  });

  it("renames and re-describes a dataset; its contents follow the new name", async () => {
    expectOk(
      await call("POST", "/datasets", {
        name: "before",
        classes: [{ name: "car", color: "#ff0000" }],
      }),
      201,
    );
    expectOk(
      await callRest(t.api, "PUT", "/datasets/before/images/a.png", { key, body: pngFile(3, 3) }),
      201,
    );
    const renamed = expectOk<Dataset>(
      await call("PATCH", "/datasets/before", { name: "after", description: "moved" }),
    );
    expect(renamed).toMatchObject({
      name: "after",
      description: "moved",
      image_counts: { total: 1 },
    });
    expectError(await call("GET", "/datasets/before"), 404, "not_found");
    expect(
      expectOk<{ data: { dataset_name: string }[] }>(await call("GET", "/datasets/after/images"))
        .data[0]?.dataset_name,
    ).toBe("after");
    // Only the description; an empty patch changes nothing.
    expect(
      expectOk<Dataset>(await call("PATCH", "/datasets/after", { description: "again" })).name,
    ).toBe("after");
    expect(expectOk<Dataset>(await call("PATCH", "/datasets/after", {})).description).toBe("again");

    expectOk(await call("POST", "/datasets", { name: "occupied" }), 201);
    expect(
      expectError(await call("PATCH", "/datasets/after", { name: "occupied" }), 409, "conflict"),
    ).toBe('dataset "occupied" already exists');
    expect(
      expectError(
        await call("PATCH", "/datasets/after", { name: "no/slash" }),
        422,
        "validation_error",
      ),
    ).toMatch(/dataset name/);
    expect(
      expectError(
        await call("PATCH", "/datasets/after", { description: "x".repeat(2001) }),
        422,
        "validation_error",
      ),
    ).toMatch(/description/);
    expectError(await call("PATCH", "/datasets/missing", { description: "x" }), 404, "not_found");
  });

  it("deletes a dataset with its images, annotations and exports; a second delete is 404", async () => {
    expectOk(
      await call("POST", "/datasets", {
        name: "doomed",
        classes: [{ name: "car", color: "#ff0000" }],
      }),
      201,
    );
    expectOk(
      await callRest(t.api, "PUT", "/datasets/doomed/images/a.png", { key, body: pngFile(3, 3) }),
      201,
    );
    const annotations = [{ type: "bbox", class_name: "car", bbox: { x: 0, y: 0, w: 1, h: 1 } }];
    expectOk(await call("PUT", "/datasets/doomed/annotations/a.png", { annotations }));
    expectOk(await call("POST", "/datasets/doomed/exports", { name: "e1" }), 202);
    const response = await call("DELETE", "/datasets/doomed");
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expectError(await call("GET", "/datasets/doomed"), 404, "not_found");
    expectError(await call("GET", "/datasets/doomed/images/a.png"), 404, "not_found");
    expectError(await call("GET", "/datasets/doomed/exports/e1"), 404, "not_found");
    expectError(await call("DELETE", "/datasets/doomed"), 404, "not_found");
    // The name is free again, and the new dataset starts empty.
    expect(
      expectOk<Dataset>(await call("POST", "/datasets", { name: "doomed" }), 201).image_counts
        .total,
    ).toBe(0);
  });
});
