// Image metadata over REST: keyset pages by path with status, split and class filters;
// status/split/tags updates; delete with its file and annotations; paths with characters
// that need escaping in a URL; and the refusals, each naming the field and the rule.
import { testBackends } from "@pictograph/db/testing";
import type { Image } from "@pictograph/schema";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pngFile } from "../test-images";
import {
  callRest,
  expectError,
  expectOk,
  openTestApi,
  provisionWorkspace,
  storedFiles,
  type TestApi,
  type TestWorkspace,
} from "../testing";

type Page = { data: Image[]; next_cursor: string | null };

// Paths in URLs: each segment escaped, slashes kept.
const urlPath = (path: string) => path.split("/").map(encodeURIComponent).join("/");

describe.each(testBackends(process.env.TEST_DATABASE_URL))("images on $name", (backend) => {
  let t: TestApi;
  let ws: TestWorkspace;
  const call = (method: string, path: string, json?: unknown, key = ws.keys.member) =>
    callRest(t.api, method, path, { key, json });

  /** Every path the listing yields for `query`, page by page with `limit`. */
  async function listAll(query: string, limit: number): Promise<string[]> {
    const paths: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page: Page = expectOk<Page>(
        await call("GET", `/datasets/gallery/images?limit=${limit}${query}${after}`),
      );
      expect(page.data.length).toBeLessThanOrEqual(limit);
      paths.push(...page.data.map((i) => i.path));
      cursor = page.next_cursor;
      if (!cursor) return paths;
    }
    throw new Error("pagination does not end");
  }

  const images = [
    { path: "b/02.png", status: "complete", split: "train", classes: ["car"] },
    { path: "a/01.png", status: "new", split: "", classes: [] },
    { path: "c/03.png", status: "in_progress", split: "val", classes: ["car", "person"] },
    { path: "a/04.png", status: "complete", split: "train", classes: ["person"] },
    { path: "d/05.png", status: "complete", split: "test", classes: [] },
    { path: "a/00.png", status: "new", split: "val", classes: ["car"] },
  ];
  const sorted = (paths: string[]) => [...paths].sort();

  beforeAll(async () => {
    t = await openTestApi(backend, { recordJobs: true });
    ws = await provisionWorkspace(t.db);
    const classes = [
      { name: "car", color: "#ff0000" },
      { name: "person", color: "#00ff00" },
      { name: "unused", color: "#0000ff" },
    ];
    expectOk(await call("POST", "/datasets", { name: "gallery", classes }), 201);
    for (const image of images) {
      const query = `?status=${image.status}&split=${image.split}`;
      expectOk(
        await callRest(t.api, "PUT", `/datasets/gallery/images/${image.path}${query}`, {
          key: ws.keys.member,
          body: pngFile(8, 6),
        }),
        201,
      );
      const annotations = image.classes.map((name) => ({
        type: "bbox",
        class_name: name,
        bbox: { x: 0, y: 0, w: 2, h: 2 },
      }));
      if (annotations.length)
        expectOk(await call("PUT", `/datasets/gallery/annotations/${image.path}`, { annotations }));
    }
  });
  afterAll(() => t?.close());
  afterEach(() => expect(t.internalErrors).toEqual([]));

  it("lists every image once, by path, in keyset pages of any size", async () => {
    const all = sorted(images.map((i) => i.path));
    for (const limit of [1, 2, 4, 6, 200]) expect(await listAll("", limit)).toEqual(all);
    const first = expectOk<Page>(await call("GET", "/datasets/gallery/images?limit=6"));
    expect(first.next_cursor).toBeNull();
    expect(first.data[0]).toMatchObject({
      path: "a/00.png",
      width: 8,
      height: 6,
      mime: "image/png",
      annotation_count: 1,
      dataset_name: "gallery",
    });
  });

  it("filters by status, split and class, also across pages", async () => {
    const expectPaths = (keep: (i: (typeof images)[number]) => boolean) =>
      sorted(images.filter(keep).map((i) => i.path));
    expect(await listAll("&status=complete", 1)).toEqual(
      expectPaths((i) => i.status === "complete"),
    );
    expect(await listAll("&split=val", 1)).toEqual(expectPaths((i) => i.split === "val"));
    expect(await listAll("&class_name=car", 1)).toEqual(
      expectPaths((i) => i.classes.includes("car")),
    );
    expect(await listAll("&status=complete&split=train&class_name=person", 2)).toEqual([
      "a/04.png",
    ]);
    expect(await listAll("&class_name=unused", 2)).toEqual([]);
  });

  it("refuses unknown filter values with 422 listing the valid ones", async () => {
    const cases: [query: string, message: string][] = [
      ["?status=done", "image status must be one of: new, in_progress, complete"],
      ["?split=training", "split must be one of: train, val, test"],
      ["?class_name=truck", 'class "truck" does not exist in dataset "gallery"'],
      ["?limit=0", "limit must be between 1 and 200"],
    ];
    for (const [query, message] of cases) {
      expect(
        expectError(await call("GET", `/datasets/gallery/images${query}`), 422, "validation_error"),
      ).toContain(message);
    }
    expectError(await call("GET", "/datasets/nope/images"), 404, "not_found");
  });

  it("gets and updates one image's status, split and tags", async () => {
    const before = expectOk<Image>(await call("GET", "/datasets/gallery/images/a/01.png"));
    expect(before).toMatchObject({ status: "new", split: null, tags: [] });
    const updated = expectOk<Image>(
      await call("PATCH", "/datasets/gallery/images/a/01.png", {
        status: "complete",
        split: "test",
        tags: ["night", "rain"],
      }),
    );
    expect(updated).toMatchObject({
      id: before.id,
      status: "complete",
      split: "test",
      tags: ["night", "rain"],
      sha256: before.sha256,
    });
    // Only what is sent changes; a null split clears it.
    const cleared = expectOk<Image>(
      await call("PATCH", "/datasets/gallery/images/a/01.png", { split: null }),
    );
    expect(cleared).toMatchObject({ status: "complete", split: null, tags: ["night", "rain"] });
    expect(expectOk(await call("GET", "/datasets/gallery/images/a/01.png"))).toEqual(cleared);

    const refusals: [body: unknown, message: string][] = [
      [{ status: "approved" }, "image status must be one of: new, in_progress, complete"],
      [{ split: "holdout" }, "split must be one of: train, val, test, or null"],
      [{ tags: "night" }, "tags"],
      [{ tags: [""] }, "tags.0"],
      [{ tags: Array.from({ length: 101 }, (_, i) => `t${i}`) }, "tags"],
    ];
    for (const [body, message] of refusals) {
      expect(
        expectError(
          await call("PATCH", "/datasets/gallery/images/a/01.png", body),
          422,
          "validation_error",
        ),
      ).toContain(message);
    }
    expectError(await call("GET", "/datasets/gallery/images/a/missing.png"), 404, "not_found");
    expectError(
      await call("PATCH", "/datasets/gallery/images/a/missing.png", { status: "new" }),
      404,
      "not_found",
    );
  });

  it("deletes an image with its file and annotations", async () => {
    expectOk(
      await callRest(t.api, "PUT", "/datasets/gallery/images/gone/x.png", {
        key: ws.keys.member,
        body: pngFile(3, 3),
      }),
      201,
    );
    const annotations = [{ type: "bbox", class_name: "car", bbox: { x: 0, y: 0, w: 1, h: 1 } }];
    expectOk(await call("PUT", "/datasets/gallery/annotations/gone/x.png", { annotations }));
    const files = await storedFiles(t.storageDir);
    const response = await call(
      "DELETE",
      "/datasets/gallery/images/gone/x.png",
      undefined,
      ws.keys.admin,
    );
    expect(response.status).toBe(204);
    expect(await storedFiles(t.storageDir)).toHaveLength(files.length - 1);
    expectError(await call("GET", "/datasets/gallery/images/gone/x.png"), 404, "not_found");
    expectError(await call("GET", "/datasets/gallery/annotations/gone/x.png"), 404, "not_found");
    expectError(await call("GET", "/datasets/gallery/image-files/gone/x.png"), 404, "not_found");
    expectError(
      await call("DELETE", "/datasets/gallery/images/gone/x.png", undefined, ws.keys.admin),
      404,
      "not_found",
    );
    // The stem is free again.
    expectOk(
      await callRest(t.api, "PUT", "/datasets/gallery/images/gone/x.jpg", {
        key: ws.keys.member,
        body: pngFile(3, 3),
      }),
      201,
    );
  });

  it("takes paths with spaces, unicode and URL characters when each segment is escaped", async () => {
    for (const path of [
      "odd/with space.png",
      "odd/ünï 車.png",
      "odd/q?and#hash&amp.png",
      "odd/100%.png",
      "odd/a+b.png",
    ]) {
      const url = urlPath(path);
      const created = expectOk<Image>(
        await callRest(t.api, "PUT", `/datasets/gallery/images/${url}`, {
          key: ws.keys.member,
          body: pngFile(2, 2),
        }),
        201,
      );
      expect(created.path).toBe(path);
      expect(expectOk<Image>(await call("GET", `/datasets/gallery/images/${url}`)).path).toBe(path);
      const annotations = [{ type: "bbox", class_name: "car", bbox: { x: 0, y: 0, w: 1, h: 1 } }];
      expect(
        expectOk<{ path: string }>(
          await call("PUT", `/datasets/gallery/annotations/${url}`, { annotations }),
        ).path,
      ).toBe(path);
      const file = await call("GET", `/datasets/gallery/image-files/${url}`);
      expect(file.status, path).toBe(200);
      expect(
        (await call("DELETE", `/datasets/gallery/images/${url}`, undefined, ws.keys.admin)).status,
      ).toBe(204);
    }
  });
});
