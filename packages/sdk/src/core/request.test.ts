// Retries, timeouts and error classes, through a fault-injecting proxy in front of the real
// server: what a flaky network or an overloaded server does to a user's calls.
import { freePort } from "@pictograph/test-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "../../test/fault-proxy";
import { testClient, testServer, uniqueName } from "../../test/server";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  ConflictError,
  InternalServerError,
  RateLimitError,
} from "./errors";
import { retryAfterSeconds } from "./request";

let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy(testServer().url);
});
afterAll(() => proxy.close());

const viaProxy = (options: { maxRetries?: number; timeout?: number } = {}) =>
  testClient({ baseUrl: proxy.url, ...options });
const seenFor = (method: string, path: string) =>
  proxy.seen.filter((r) => r.method === method && r.path.startsWith(path));

describe("retries", () => {
  it("waits the Retry-After seconds after a 503, then succeeds", async () => {
    const path = `/api/v1/datasets/demo`;
    proxy.inject((r) => r.path === path, { status: 503, headers: { "retry-after": "1" } });
    const before = seenFor("GET", path).length;
    const started = performance.now();
    const dataset = await viaProxy().datasets.get("demo");
    expect(dataset.name).toBe("demo");
    expect(seenFor("GET", path).length - before).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("honours Retry-After given as an HTTP date on a 429", async () => {
    const path = `/api/v1/datasets/demo/classes`;
    const soon = new Date(Date.now() + 2000).toUTCString();
    proxy.inject((r) => r.path === path, { status: 429, headers: { "retry-after": soon } });
    const started = performance.now();
    const classes = await viaProxy().classes.list("demo");
    expect(classes.map((c) => c.name)).toEqual([
      "car",
      "person",
      "building",
      "lane",
      "traffic light",
    ]);
    // An HTTP date has whole seconds: at least the next second boundary.
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("gives up after maxRetries and throws the status's class with the request id", async () => {
    const path = `/api/v1/datasets/demo/imports`;
    const failure = { status: 500, headers: { "x-request-id": "req-123", "retry-after": "0" } };
    proxy.inject((r) => r.path === path, failure, failure, failure);
    const before = seenFor("GET", path).length;
    const error = await viaProxy({ maxRetries: 2 })
      .imports.list("demo")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({
      status: 500,
      requestId: "req-123",
      code: "unavailable",
      message: "injected failure",
    });
    expect(seenFor("GET", path).length - before).toBe(3);
  });

  it("does not retry when maxRetries is 0", async () => {
    const path = `/api/v1/me`;
    proxy.inject((r) => r.path === path, { status: 429, headers: { "retry-after": "0" } });
    const before = seenFor("GET", path).length;
    await expect(viaProxy({ maxRetries: 0 }).workspace.me()).rejects.toBeInstanceOf(RateLimitError);
    expect(seenFor("GET", path).length - before).toBe(1);
  });

  it("never retries a 409", async () => {
    const client = viaProxy();
    const name = uniqueName("conflict");
    await client.datasets.create(name);
    const before = seenFor("POST", "/api/v1/datasets").length;
    await expect(client.datasets.create(name)).rejects.toBeInstanceOf(ConflictError);
    expect(seenFor("POST", "/api/v1/datasets").length - before).toBe(1);
  });

  it("retries a read whose connection dropped", async () => {
    const path = `/api/v1/datasets/demo`;
    proxy.inject((r) => r.path === path, { drop: "before" });
    expect((await viaProxy().datasets.get("demo")).name).toBe("demo");
  });

  it("does not resend a POST without an idempotency key whose answer was lost", async () => {
    const name = uniqueName("lost");
    proxy.inject((r) => r.method === "POST" && r.path === "/api/v1/datasets", { drop: "after" });
    const error = await viaProxy()
      .datasets.create(name)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    // It was created once; a blind retry would have answered 409.
    expect((await testClient().datasets.get(name)).name).toBe(name);
  });

  it("a create whose answer was lost is retried with the same Idempotency-Key: one export, not two", async () => {
    const name = uniqueName("idem");
    const path = "/api/v1/datasets/demo/exports";
    proxy.inject((r) => r.method === "POST" && r.path === path, { drop: "after" });
    const before = seenFor("POST", path).length;
    const created = await viaProxy().exports.create("demo", name, {
      format: "csv",
      include_images: false,
      wait: false,
    });
    const attempts = seenFor("POST", path).slice(before);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(attempts[1]!.headers["idempotency-key"]).toBe(attempts[0]!.headers["idempotency-key"]);
    expect(created.name).toBe(name);
    const all = [];
    for await (const exp of testClient().exports.iter({ dataset: "demo", page_size: 200 }))
      if (exp.name === name) all.push(exp);
    expect(all.map((e) => e.id)).toEqual([created.id]);
  });

  it("each create call has its own key", async () => {
    const path = "/api/v1/datasets/demo/exports";
    const client = viaProxy();
    const before = seenFor("POST", path).length;
    await client.exports.create("demo", uniqueName("k1"), {
      format: "csv",
      include_images: false,
      wait: false,
    });
    await client.exports.create("demo", uniqueName("k2"), {
      format: "csv",
      include_images: false,
      wait: false,
    });
    const [first, second] = seenFor("POST", path).slice(before);
    expect(first!.headers["idempotency-key"]).not.toBe(second!.headers["idempotency-key"]);
  });

  it("times out a slow answer (timeout in seconds) and says so", async () => {
    const path = "/api/v1/datasets/demo";
    proxy.inject((r) => r.path === path, { delay: 2 });
    const error = await viaProxy({ timeout: 0.3, maxRetries: 0 })
      .datasets.get("demo")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as Error).message).toMatch(/within 0\.3 s/);
  });

  it("names the server it cannot reach", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const client = testClient({ baseUrl: closed, maxRetries: 1 });
    const error = await client.workspace.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toBe(`cannot reach ${closed}: ECONNREFUSED`);
  });
});

describe("retryAfterSeconds", () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  it("reads seconds, milliseconds and HTTP dates", () => {
    expect(retryAfterSeconds(headers({ "retry-after": "3" }))).toBe(3);
    expect(retryAfterSeconds(headers({ "retry-after-ms": "250" }))).toBe(0.25);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(
      retryAfterSeconds(headers({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now),
    ).toBe(5);
    expect(
      retryAfterSeconds(headers({ "retry-after": "Wed, 31 Dec 2025 23:59:00 GMT" }), now),
    ).toBe(0);
  });

  it("ignores an absent, unreadable or over-a-minute value (backoff applies)", () => {
    expect(retryAfterSeconds(headers({}))).toBeNull();
    expect(retryAfterSeconds(headers({ "retry-after": "soon" }))).toBeNull();
    expect(retryAfterSeconds(headers({ "retry-after": "3600" }))).toBeNull();
  });
});
