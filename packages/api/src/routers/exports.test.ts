// The published export API over REST: create records the export and queues its build in
// one transaction (real pg-boss), idempotent retries, listing newest first in pages, get,
// signed downloads (Range, tampering, expiry) and delete; every refusal in the error body.
import { executeSqlText } from "@pictograph/db";
import { testBackends } from "@pictograph/db/testing";
import { buildExport } from "@pictograph/exporter";
import { FORMATS, type Export } from "@pictograph/schema";
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

type Page = { data: Export[]; next_cursor: string | null };

describe.each(testBackends(process.env.TEST_DATABASE_URL))("exports on $name", (backend) => {
  let t: TestApi;
  let ws: TestWorkspace;
  const call = (
    method: string,
    path: string,
    json?: unknown,
    options: { key?: string; headers?: Record<string, string> } = {},
  ) =>
    callRest(t.api, method, path, {
      key: options.key ?? ws.keys.member,
      json,
      headers: options.headers,
    });
  const create = (
    name: string,
    options: Record<string, unknown> = {},
    headers?: Record<string, string>,
  ) => call("POST", "/datasets/shots/exports", { name, ...options }, { headers });

  /** The export ids queued on export.build, oldest first. */
  async function queuedBuilds(): Promise<string[]> {
    const { rows } = await executeSqlText(
      t.db,
      "SELECT data FROM pgboss.job WHERE name = $1 ORDER BY created_on",
      ["export.build"],
    );
    return rows.map((row) => (row.data as { exportId: string }).exportId);
  }

  async function build(id: string): Promise<void> {
    const outcome = await buildExport({ db: t.db, storage: t.storage, workerId: "test" }, id);
    expect(outcome.status).toBe("completed");
  }

  beforeAll(async () => {
    t = await openTestApi(backend);
    ws = await provisionWorkspace(t.db);
    const classes = [
      { name: "car", color: "#ff0000" },
      { name: "truck", color: "#00ff00" },
    ];
    expectOk(await call("POST", "/datasets", { name: "shots", classes }), 201);
    for (const [path, status] of [
      ["a.png", "complete"],
      ["b.png", "complete"],
      ["c.png", "new"],
    ]) {
      expectOk(
        await callRest(t.api, "PUT", `/datasets/shots/images/${path}?status=${status}`, {
          key: ws.keys.member,
          body: pngFile(20, 10),
        }),
        201,
      );
      const annotations = [{ type: "bbox", class_name: "car", bbox: { x: 1, y: 1, w: 5, h: 5 } }];
      expectOk(await call("PUT", `/datasets/shots/annotations/${path}`, { annotations }));
    }
  });
  afterAll(() => t?.close());
  afterEach(() => expect(t.internalErrors).toEqual([]));

  it("creates a pending export with the documented defaults and queues its build with it", async () => {
    const created = expectOk<Export>(await create("defaults"), 202);
    expect(created).toMatchObject({
      dataset_name: "shots",
      name: "defaults",
      format: "pictograph",
      include_images: true,
      class_filter: null,
      status_filter: "complete",
      status: "pending",
      progress: 0,
      image_count: null,
      download_url: null,
      completed_at: null,
    });
    expect(await queuedBuilds()).toContain(created.id);
    expect(expectOk(await call("GET", "/datasets/shots/exports/defaults"))).toEqual(created);
  });

  it("records the export and its job in one transaction: a failed enqueue leaves neither", async () => {
    const enqueue = t.services.enqueue;
    let queuedId = "";
    t.services.enqueue = async (tx, queue, payload) => {
      await enqueue(tx, queue, payload);
      queuedId = (payload as { exportId: string }).exportId;
      throw new Error("the queue went away after sending");
    };
    try {
      const response = await create("doomed");
      expectError(response, 500, "internal_error");
    } finally {
      t.services.enqueue = enqueue;
      t.internalErrors.length = 0;
    }
    expect(queuedId).not.toBe("");
    expect(await queuedBuilds()).not.toContain(queuedId);
    expectError(await call("GET", "/datasets/shots/exports/doomed"), 404, "not_found");
    // The name is still free.
    expectOk(await create("doomed"), 202);
  });

  it("refuses a taken name with 409 without queueing another build", async () => {
    const first = expectOk<Export>(await create("unique"), 202);
    const before = await queuedBuilds();
    expect(expectError(await create("unique", { format: "coco" }), 409, "conflict")).toBe(
      'export "unique" already exists in this dataset',
    );
    expect(await queuedBuilds()).toEqual(before);
    expect(expectOk<Export>(await call("GET", "/datasets/shots/exports/unique")).id).toBe(first.id);
  });

  it("answers every one of 10 racing creates with the same Idempotency-Key with one export", async () => {
    const headers = { "idempotency-key": "race-789" };
    const before = await queuedBuilds();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => create("raced", { format: "coco" }, headers)),
    );
    const ids = new Set(responses.map((response) => expectOk<Export>(response, 202).id));
    expect(ids.size).toBe(1);
    expect((await queuedBuilds()).length).toBe(before.length + 1);
  });

  it("answers a retried create with the same Idempotency-Key with the first export", async () => {
    const headers = { "idempotency-key": "retry-123" };
    const first = expectOk<Export>(await create("idem", { format: "yolo" }, headers), 202);
    const before = await queuedBuilds();
    const again = expectOk<Export>(await create("idem", { format: "yolo" }, headers), 202);
    expect(again.id).toBe(first.id);
    expect(await queuedBuilds()).toEqual(before);
    // A new key is a new request: the name is taken.
    expectError(await create("idem", {}, { "idempotency-key": "retry-456" }), 409, "conflict");
    // The key reused for another export (another name, or another dataset) is refused, not
    // answered with the first export under the wrong name.
    expect(
      expectError(await create("idem-2", { format: "yolo" }, headers), 409, "conflict"),
    ).toContain("Idempotency-Key");
    expectOk(await call("POST", "/datasets", { name: "shots-2" }), 201);
    const elsewhere = await call(
      "POST",
      "/datasets/shots-2/exports",
      { name: "idem" },
      { headers },
    );
    expect(expectError(elsewhere, 409, "conflict")).toContain("Idempotency-Key");
    expect(await queuedBuilds()).toEqual(before);
  });

  it("refuses unknown options with 422 listing the valid values", async () => {
    const cases: [options: Record<string, unknown>, message: string][] = [
      [{ format: "tiff" }, `format must be one of: ${FORMATS.join(", ")}`],
      [{ status_filter: "done" }, "status_filter must be one of: all, new, in_progress, complete"],
      [{ include_images: "yes" }, "include_images must be true or false"],
      [
        { class_filter: [] },
        "class_filter must name at least one class, or be null for all classes",
      ],
      [
        { class_filter: ["bus", "car"] },
        'class_filter names "bus", not a class of dataset "shots"; its classes are: "car", "truck"',
      ],
      [{ class_filter: "car" }, "class_filter"],
    ];
    for (const [options, message] of cases) {
      expect(
        expectError(await create("refused", options), 422, "validation_error"),
        JSON.stringify(options),
      ).toContain(message);
    }
    expect(
      expectError(await call("POST", "/datasets/shots/exports", {}), 422, "validation_error"),
    ).toContain("export name must be a string");
    expect(expectError(await create("bad name"), 422, "validation_error")).toContain(
      "export name must be 1–64 characters",
    );
    expectError(await call("POST", "/datasets/none/exports", { name: "x" }), 404, "not_found");
    expectError(await call("GET", "/datasets/shots/exports/refused"), 404, "not_found");
  });

  it("lists exports newest first in pages, filtered by dataset and status", async () => {
    const other = await provisionWorkspace(t.db);
    const key = other.keys.member;
    expectOk(await callRest(t.api, "POST", "/datasets", { key, json: { name: "one" } }), 201);
    expectOk(await callRest(t.api, "POST", "/datasets", { key, json: { name: "two" } }), 201);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const dataset = i % 2 ? "two" : "one";
      made.push(
        expectOk<Export>(
          await callRest(t.api, "POST", `/datasets/${dataset}/exports`, {
            key,
            json: { name: `e${i}`, status_filter: "all" },
          }),
          202,
        ).id,
      );
    }
    const list = async (query: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
        const page: Page = expectOk<Page>(
          await callRest(t.api, "GET", `/exports?limit=2${query}${after}`, {
            key: other.keys.viewer,
          }),
        );
        ids.push(...page.data.map((e) => e.id));
        cursor = page.next_cursor;
      } while (cursor);
      return ids;
    };
    expect(await list("")).toEqual([...made].reverse());
    expect(await list("&dataset=two")).toEqual([made[3], made[1]]);
    await buildExport({ db: t.db, storage: t.storage, workerId: "test" }, made[2]!);
    expect(await list("&status=completed")).toEqual([made[2]]);
    expect(await list("&status=pending&dataset=one")).toEqual([made[4], made[0]]);

    const refused = expectError(
      await callRest(t.api, "GET", "/exports?status=done", { key }),
      422,
      "validation_error",
    );
    expect(refused).toContain(
      "export status must be one of: pending, processing, completed, failed",
    );
    expectError(await callRest(t.api, "GET", "/exports?dataset=three", { key }), 404, "not_found");
    expectError(
      await callRest(t.api, "GET", "/exports?limit=500", { key }),
      422,
      "validation_error",
    );
  });

  it("gets a completed export with its counts and a signed download that streams the ZIP", async () => {
    const created = expectOk<Export>(
      await create("ready", { format: "coco", status_filter: "complete" }),
      202,
    );
    expect(
      expectError(await call("GET", "/datasets/shots/exports/ready/download"), 409, "conflict"),
    ).toContain('export "ready" is pending');
    await build(created.id);
    const done = expectOk<Export>(await call("GET", "/datasets/shots/exports/ready"));
    expect(done).toMatchObject({
      status: "completed",
      progress: 100,
      image_count: 2,
      annotation_count: 2,
      error_message: null,
    });
    expect(done.size_bytes).toBeGreaterThan(0);
    expect(done.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(done.download_url).toMatch(/^http:\/\/pictograph\.test\/api\/v1\/files\/exports\//);
    expect(done.completed_at).not.toBeNull();

    const before = Date.now();
    const link = expectOk<{ url: string; expires_at: string; size_bytes: number }>(
      await call("GET", "/datasets/shots/exports/ready/download", undefined, {
        key: ws.keys.viewer,
      }),
    );
    expect(link.size_bytes).toBe(done.size_bytes);
    const lifetime = Date.parse(link.expires_at) - before;
    expect(lifetime).toBeGreaterThan(59 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(60 * 60_000 + 1000);

    const url = new URL(link.url);
    const file = await t.api.handleRest(new Request(url));
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("application/zip");
    expect(file.headers.get("content-length")).toBe(String(done.size_bytes));
    expect(file.headers.get("content-disposition")).toContain("shots-ready-coco.zip");
    expect((await file.arrayBuffer()).byteLength).toBe(done.size_bytes);
    const part = await t.api.handleRest(new Request(url, { headers: { range: "bytes=0-1" } }));
    expect(part.status).toBe(206);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(new Uint8Array([0x50, 0x4b]));

    // The signature is the credential: a changed one is refused, an old one has expired.
    const tampered = new URL(url);
    const signature = url.searchParams.get("signature")!;
    tampered.searchParams.set(
      "signature",
      (signature.startsWith("A") ? "B" : "A") + signature.slice(1),
    );
    expectError(
      await callRest(
        t.api,
        "GET",
        `${tampered.pathname.slice("/api/v1".length)}${tampered.search}`,
      ),
      403,
      "forbidden",
    );
    const now = t.services.now;
    t.services.now = () => new Date(Date.now() + 61 * 60_000);
    try {
      expectError(
        await callRest(t.api, "GET", `${url.pathname.slice("/api/v1".length)}${url.search}`),
        410,
        "gone",
      );
    } finally {
      t.services.now = now;
    }
    expectError(
      await callRest(t.api, "GET", "/files/exports/not-an-id?expires=1&signature=x"),
      404,
      "not_found",
    );
  });

  it("deletes an export and its ZIP; its download link stops working", async () => {
    const created = expectOk<Export>(await create("short", { status_filter: "all" }), 202);
    await build(created.id);
    const link = expectOk<{ url: string }>(
      await call("GET", "/datasets/shots/exports/short/download"),
    );
    const zips = async () =>
      (await storedFiles(t.storageDir)).filter((f) => f.includes(created.id));
    expect(await zips()).toHaveLength(1);
    expect(
      (await call("DELETE", "/datasets/shots/exports/short", undefined, { key: ws.keys.admin }))
        .status,
    ).toBe(204);
    expect(await zips()).toEqual([]);
    expectError(await call("GET", "/datasets/shots/exports/short"), 404, "not_found");
    const url = new URL(link.url);
    expectError(
      await callRest(t.api, "GET", `${url.pathname.slice("/api/v1".length)}${url.search}`),
      404,
      "not_found",
    );
    expectError(
      await call("DELETE", "/datasets/shots/exports/short", undefined, { key: ws.keys.admin }),
      404,
      "not_found",
    );
    // The name can be used again.
    expectOk(await create("short"), 202);
  });
});
