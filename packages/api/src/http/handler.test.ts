// Who may do what, walked over the whole route table: every REST route (from restRoutes, so
// a new route cannot escape) and every byte route. Tenancy (another workspace's things are
// 404), roles (403 below a route's minimum, and nothing changes), credentials (401, revoked
// keys at once) and the refusals every route shares (bad JSON, bad path parameters).
import { testBackends } from "@pictograph/db/testing";
import { ErrorBodySchema, ROLES, type Role } from "@pictograph/schema";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { jsonSchemaOf } from "../openapi";
import { restRoutes, type RestRoute } from "../rest";
import { appRouter } from "../root";
import { pngFile } from "../test-images";
import {
  callRest,
  expectError,
  expectOk,
  openTestApi,
  provisionWorkspace,
  seedDataset,
  storedFiles,
  type ApiResponse,
  type SeededDataset,
  type TestApi,
  type TestWorkspace,
} from "../testing";
import { byteRoutes } from "./handler";

type Resources = SeededDataset & { apiKeyId: string };

type RouteCase = {
  /** The least role that may call the route. */
  role: Role;
  /** A valid body, so that only the rule under test can refuse the request. */
  body?: (r: Resources) => unknown;
  /** Query string, with the same placeholders as paths. */
  query?: string;
  /** What `{id}` names. */
  id?: "apiKeyId" | "importId";
};

const classes = [
  { name: "car", color: "#ff0000" },
  { name: "person", color: "#00ff00", keypoints: ["head", "foot"] },
];

// Every REST procedure, with the role it needs and a valid input. The first test fails when
// a route is added without a case here.
const CASES: Record<string, RouteCase> = {
  "workspace.me": { role: "viewer" },
  "datasets.create": { role: "member", body: () => ({ name: "made-in-walk" }) },
  "datasets.list": { role: "viewer" },
  "datasets.get": { role: "viewer" },
  "datasets.update": { role: "member", body: () => ({ description: "changed" }) },
  "datasets.delete": { role: "admin" },
  "classes.list": { role: "viewer" },
  "classes.replace": { role: "member", body: () => ({ classes }) },
  "images.list": { role: "viewer", query: "?status=complete" },
  "images.get": { role: "viewer" },
  "images.update": { role: "member", body: () => ({ status: "new", split: "val", tags: ["x"] }) },
  "images.delete": { role: "admin" },
  "annotations.get": { role: "viewer" },
  "annotations.replace": { role: "member", body: () => ({ annotations: [] }) },
  "annotations.bulkReplace": {
    role: "member",
    body: (r) => ({ images: [{ path: r.imagePath, annotations: [] }] }),
  },
  "exports.create": { role: "member", body: () => ({ name: "another", format: "yolo" }) },
  "exports.list": { role: "viewer", query: "?dataset={dataset}" },
  "exports.get": { role: "viewer" },
  "exports.download": { role: "viewer" },
  "exports.delete": { role: "admin" },
  "imports.list": { role: "viewer" },
  "imports.get": { role: "viewer", id: "importId" },
  "apiKeys.list": { role: "admin" },
  "apiKeys.create": { role: "admin", body: () => ({ name: "made in walk", role: "viewer" }) },
  "apiKeys.revoke": { role: "admin", id: "apiKeyId" },
};

type ByteCase = RouteCase & {
  method: string;
  url: (r: Resources) => string;
  bytes?: () => Uint8Array;
};

// Byte routes that act for a key's workspace. `exports.file` is left out on purpose: its
// credential is the URL's signature (checked in files tests), and `admin.run` takes the
// instance secret, not a key.
const BYTE_CASES: Record<string, ByteCase | null> = {
  "images.upload": {
    role: "member",
    method: "PUT",
    url: (r) => `/datasets/${r.dataset}/images/walk/new.png`,
    bytes: () => pngFile(4, 4),
  },
  "images.file": {
    role: "viewer",
    method: "GET",
    url: (r) => `/datasets/${r.dataset}/image-files/${r.imagePath}`,
  },
  "imports.upload": {
    role: "member",
    method: "POST",
    url: (r) => `/datasets/${r.dataset}/imports?format=yolo`,
    bytes: () => new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]),
  },
  "exports.file": null,
  "admin.run": null,
};

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2 };
const routes = restRoutes(appRouter);

/** The route's URL for `r`'s resources; `values` replaces a parameter's value (e.g. a bad one). */
function urlOf(
  route: RestRoute,
  r: Resources,
  values: Partial<Record<string, string>> = {},
): string {
  const c = CASES[route.procedure]!;
  const fill = (template: string) =>
    template
      .replace("{dataset}", encodeURIComponent(values.dataset ?? r.dataset))
      .replace("{path+}", values.path ?? r.imagePath)
      .replace("{name}", encodeURIComponent(values.name ?? r.exportName))
      .replace("{id}", values.id ?? (c.id ? r[c.id] : ""));
  return fill(route.path) + fill(c.query ?? "");
}

function callRoute(
  t: TestApi,
  route: RestRoute,
  r: Resources,
  key: string | undefined,
): Promise<ApiResponse> {
  const body = CASES[route.procedure]!.body?.(r);
  return callRest(t.api, route.method, urlOf(route, r), { key, json: body });
}

function callByteRoute(
  t: TestApi,
  c: ByteCase,
  r: Resources,
  key: string | undefined,
): Promise<ApiResponse> {
  return callRest(t.api, c.method, c.url(r), { key, body: c.bytes?.() });
}

const namesResource = (route: RestRoute) =>
  route.params.length > 0 || (CASES[route.procedure]!.query ?? "").includes("{");
const byteCases = Object.entries(BYTE_CASES).flatMap(([name, c]) =>
  c ? [[name, c] as const] : [],
);

/** What a workspace admin can see of a dataset and the workspace: compared before and after. */
async function snapshot(t: TestApi, key: string, r: Resources) {
  const paths = [
    "/datasets",
    `/datasets/${r.dataset}`,
    `/datasets/${r.dataset}/classes`,
    `/datasets/${r.dataset}/images?limit=200`,
    `/datasets/${r.dataset}/annotations/${r.imagePath}`,
    `/exports?dataset=${r.dataset}`,
    `/datasets/${r.dataset}/imports`,
    "/api-keys",
  ];
  const bodies = [];
  for (const path of paths) bodies.push(expectOk(await callRest(t.api, "GET", path, { key })));
  // Signed URLs are fresh on every call and last use moves on: neither is state.
  return JSON.parse(
    JSON.stringify(bodies, (k, v: unknown) =>
      k === "download_url" || k === "last_used_at" ? undefined : v,
    ),
  ) as unknown;
}

describe.each(testBackends(process.env.TEST_DATABASE_URL))("API access on $name", (backend) => {
  let t: TestApi;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let ofA: Resources;
  let ofB: Resources;

  beforeAll(async () => {
    t = await openTestApi(backend);
    a = await provisionWorkspace(t.db);
    b = await provisionWorkspace(t.db);
    const keyIdOf = async (ws: TestWorkspace) =>
      expectOk<{ id: string; role: Role }[]>(
        await callRest(t.api, "GET", "/api-keys", { key: ws.keys.admin }),
      ).find((k) => k.role === "member")!.id;
    ofA = { ...(await seedDataset(t, a.keys.admin, "a-data")), apiKeyId: await keyIdOf(a) };
    ofB = { ...(await seedDataset(t, b.keys.admin, "b-data")), apiKeyId: await keyIdOf(b) };
  });
  afterAll(() => t?.close());
  afterEach(() => {
    // No request of these tests may end in a 5xx.
    expect(t.internalErrors).toEqual([]);
  });

  it("has a case for every REST route and every byte route", () => {
    expect(routes.map((r) => r.procedure).sort()).toEqual(Object.keys(CASES).sort());
    expect(byteRoutes.map((r) => r.name).sort()).toEqual(Object.keys(BYTE_CASES).sort());
  });

  it("answers 404, never 403, to a key of workspace A for every route naming workspace B's things", async () => {
    const before = await snapshot(t, b.keys.admin, ofB);
    const filesBefore = await storedFiles(t.storageDir);
    const walked: string[] = [];
    for (const route of routes.filter(namesResource)) {
      const response = await callRoute(t, route, ofB, a.keys.admin);
      expectError(response, 404, "not_found");
      walked.push(route.procedure);
    }
    for (const [name, c] of byteCases) {
      expectError(await callByteRoute(t, c, ofB, a.keys.admin), 404, "not_found");
      walked.push(name);
    }
    // A's own dataset with B's import id is not found either: imports are scoped by workspace.
    expectError(
      await callRest(t.api, "GET", `/datasets/${ofA.dataset}/imports/${ofB.importId}`, {
        key: a.keys.admin,
      }),
      404,
      "not_found",
    );

    expect(walked.length).toBeGreaterThanOrEqual(20);
    expect(await snapshot(t, b.keys.admin, ofB)).toEqual(before);
    expect(await storedFiles(t.storageDir)).toEqual(filesBefore);
  });

  it("lists only the caller's workspace, and names are per workspace", async () => {
    for (const route of routes.filter((r) => !namesResource(r) && r.method === "GET")) {
      const response = await callRoute(t, route, ofB, a.keys.admin);
      expectOk(response);
      const text = response.text;
      expect(text, route.procedure).not.toContain(ofB.dataset);
      expect(text, route.procedure).not.toContain(ofB.exportId);
      expect(text, route.procedure).not.toContain(ofB.apiKeyId);
    }
    expect(expectOk(await callRest(t.api, "GET", "/me", { key: a.keys.viewer }))).toEqual({
      workspace: a.name,
      role: "viewer",
      auth: "api_key",
    });
    // B's dataset name is free in A.
    expectOk(
      await callRest(t.api, "POST", "/datasets", {
        key: a.keys.member,
        json: { name: ofB.dataset },
      }),
      201,
    );
    expectOk(
      await callRest(t.api, "DELETE", `/datasets/${ofB.dataset}`, { key: a.keys.admin }),
      204,
    );
    expectOk(await callRest(t.api, "GET", `/datasets/${ofB.dataset}`, { key: b.keys.viewer }));
  });

  it("answers 401 with the error body to every route without credentials or with an unknown key", async () => {
    for (const key of [undefined, "pg_not-a-real-key"]) {
      for (const route of routes) {
        const message = expectError(await callRoute(t, route, ofB, key), 401, "unauthorized");
        expect(message).toMatch(key ? /invalid or revoked/ : /API key/);
      }
      for (const [, c] of byteCases)
        expectError(await callByteRoute(t, c, ofB, key), 401, "unauthorized");
    }
  });

  it("takes the key as X-API-Key or as Authorization: Bearer", async () => {
    const viaBearer = await callRest(t.api, "GET", "/me", {
      headers: { authorization: `Bearer ${b.keys.member}` },
    });
    expect(expectOk(viaBearer)).toEqual({ workspace: b.name, role: "member", auth: "api_key" });
    const viaHeader = await callRest(t.api, "GET", "/me", { key: b.keys.admin });
    expect(expectOk(viaHeader)).toMatchObject({ role: "admin" });
    expectError(
      await callRest(t.api, "GET", "/me", { headers: { authorization: "Basic abc" } }),
      401,
      "unauthorized",
    );
  });

  it("refuses every route below its role with 403, and nothing changes", async () => {
    const before = await snapshot(t, b.keys.admin, ofB);
    const filesBefore = await storedFiles(t.storageDir);
    let refused = 0;
    for (const role of ROLES) {
      for (const route of routes.filter((r) => RANK[role] < RANK[CASES[r.procedure]!.role])) {
        const message = expectError(await callRoute(t, route, ofB, b.keys[role]), 403, "forbidden");
        expect(message).toContain(`your role is ${role}`);
        refused++;
      }
      for (const [, c] of byteCases.filter(([, c]) => RANK[role] < RANK[c.role])) {
        expectError(await callByteRoute(t, c, ofB, b.keys[role]), 403, "forbidden");
        refused++;
      }
    }
    // viewer: the 12 REST writes, listing keys and the 2 byte uploads; member: the 6 admin routes.
    expect(refused).toBe(21);
    expect(
      routes.filter((r) => r.method !== "GET").every((r) => CASES[r.procedure]!.role !== "viewer"),
    ).toBe(true);
    expect(await snapshot(t, b.keys.admin, ofB)).toEqual(before);
    expect(await storedFiles(t.storageDir)).toEqual(filesBefore);
  });

  it("lets a viewer read everything and download image and export files", async () => {
    for (const route of routes.filter((r) => CASES[r.procedure]!.role === "viewer")) {
      expectOk(await callRoute(t, route, ofB, b.keys.viewer));
    }
    const image = await callRest(
      t.api,
      "GET",
      `/datasets/${ofB.dataset}/image-files/${ofB.imagePath}`,
      { key: b.keys.viewer },
    );
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(image.bytes.subarray(1, 4)).toString()).toBe("PNG");

    const download = expectOk<{ url: string; size_bytes: number }>(
      await callRest(t.api, "GET", `/datasets/${ofB.dataset}/exports/${ofB.exportName}/download`, {
        key: b.keys.viewer,
      }),
    );
    const url = new URL(download.url);
    const zip = await t.api.handleRest(new Request(url));
    expect(zip.status).toBe(200);
    const bytes = new Uint8Array(await zip.arrayBuffer());
    expect(bytes.byteLength).toBe(download.size_bytes);
    expect([...bytes.subarray(0, 2)]).toEqual([0x50, 0x4b]);
  });

  it("stops a revoked key on the very next request, on every surface", async () => {
    const created = expectOk<{ id: string; key: string }>(
      await callRest(t.api, "POST", "/api-keys", {
        key: b.keys.admin,
        json: { name: "short-lived", role: "member" },
      }),
      201,
    );
    expectOk(await callRest(t.api, "GET", `/datasets/${ofB.dataset}`, { key: created.key }));
    const revoked = expectOk<{ revoked_at: string | null }>(
      await callRest(t.api, "DELETE", `/api-keys/${created.id}`, { key: b.keys.admin }),
    );
    expect(revoked.revoked_at).not.toBeNull();
    expect(
      expectError(
        await callRest(t.api, "GET", `/datasets/${ofB.dataset}`, { key: created.key }),
        401,
        "unauthorized",
      ),
    ).toMatch(/revoked/);
    expectError(
      await callRest(t.api, "PUT", `/datasets/${ofB.dataset}/images/revoked.png`, {
        key: created.key,
        body: pngFile(2, 2),
      }),
      401,
      "unauthorized",
    );
    expectError(
      await callRest(t.api, "GET", "/me", { headers: { authorization: `Bearer ${created.key}` } }),
      401,
      "unauthorized",
    );
    // Revoking again keeps the first revocation time.
    const again = expectOk<{ revoked_at: string }>(
      await callRest(t.api, "DELETE", `/api-keys/${created.id}`, { key: b.keys.admin }),
    );
    expect(again.revoked_at).toBe(revoked.revoked_at);
  });

  it("refuses malformed JSON with 400 on every route that takes a body", async () => {
    const withBody = routes.filter((r) => r.method !== "GET" && r.method !== "DELETE");
    expect(withBody.length).toBeGreaterThanOrEqual(8);
    for (const route of withBody) {
      for (const body of ['{"name": ', "[1, 2]", '"text"', "null"]) {
        const response = await callRest(t.api, route.method, urlOf(route, ofB), {
          key: b.keys.admin,
          body,
          headers: { "content-type": "application/json" },
        });
        expect(expectError(response, 400, "bad_request"), `${route.procedure} ${body}`).toMatch(
          /JSON/,
        );
      }
    }
  });

  it("refuses bad path parameters with 422 naming the rule, on every route that has them", async () => {
    const bad: Record<string, [value: string, rule: RegExp]> = {
      dataset: ["-starts-with-dash", /dataset name must be 1–64 characters/],
      path: ["a//b.png", /image path must not contain empty folders/],
      name: ["has space", /export name must be 1–64 characters/],
      id: ["not-a-uuid", /id must be an? (API key|import) id/],
    };
    for (const route of routes) {
      for (const param of route.params) {
        const [value, rule] = bad[param]!;
        const url = urlOf(route, ofB, { [param]: value });
        const response = await callRest(t.api, route.method, url, {
          key: b.keys.admin,
          json: CASES[route.procedure]!.body?.(ofB),
        });
        expect(
          expectError(response, 422, "validation_error"),
          `${route.procedure} ${param}`,
        ).toMatch(rule);
      }
    }
  });

  it("never answers wrong-typed input with a 5xx: every field of every route, in body or query", async () => {
    // A workspace of its own: some of these values are valid and change things (renames).
    const c = await provisionWorkspace(t.db);
    const ofC: Resources = {
      ...(await seedDataset(t, c.keys.admin, "c-data")),
      apiKeyId: ofB.apiKeyId,
    };
    const garbage: unknown[] = [
      null,
      0,
      -1,
      1e308,
      "",
      "x",
      "ß\u0000",
      "a".repeat(5000),
      true,
      [],
      [1, "a"],
      {},
      { nested: { deep: 1 } },
      { "k\u0000": "v" },
    ];
    let requests = 0;
    for (const route of routes.filter((r) => r.method !== "DELETE" && r.input)) {
      const properties = Object.keys(
        (jsonSchemaOf(route.input!, "input").properties ?? {}) as Record<string, unknown>,
      ).filter((name) => !route.params.includes(name));
      for (const property of properties) {
        for (const value of garbage) {
          let response: ApiResponse;
          if (route.method === "GET") {
            const query = `${property}=${encodeURIComponent(typeof value === "string" ? value : JSON.stringify(value))}`;
            response = await callRest(t.api, "GET", `${urlOf(route, ofC).split("?")[0]}?${query}`, {
              key: c.keys.admin,
            });
          } else {
            const body = { ...(CASES[route.procedure]!.body?.(ofC) as object), [property]: value };
            response = await callRest(t.api, route.method, urlOf(route, ofC), {
              key: c.keys.admin,
              json: body,
            });
          }
          requests++;
          const where = `${route.procedure} ${property}=${JSON.stringify(value).slice(0, 40)}: ${response.status} ${response.text.slice(0, 200)}`;
          expect(response.status, where).toBeLessThan(500);
          if (response.status >= 400)
            expect(ErrorBodySchema.safeParse(response.body).success, where).toBe(true);
        }
      }
    }
    expect(requests).toBeGreaterThan(300);
  });

  it("serves the OpenAPI document without credentials, uploads included", async () => {
    const document = expectOk<{ paths: Record<string, Record<string, unknown>> }>(
      await callRest(t.api, "GET", "/openapi.json"),
    );
    expect(Object.keys(document.paths["/datasets/{dataset}/images/{path}"]!)).toContain("put");
  });

  it("answers unknown routes with 404 and wrong methods with 405, in the error body", async () => {
    expectError(
      await callRest(t.api, "GET", "/nothing-here", { key: b.keys.admin }),
      404,
      "not_found",
    );
    expectError(
      await callRest(t.api, "POST", `/datasets/${ofB.dataset}`, { key: b.keys.admin, json: {} }),
      405,
      "method_not_allowed",
    );
    expectError(
      await callRest(t.api, "PATCH", "/api-keys", { key: b.keys.admin, json: {} }),
      405,
      "method_not_allowed",
    );
  });

  it("answers a path that is not valid percent-encoding with 400, on REST and byte routes", async () => {
    for (const [method, path] of [
      ["GET", `/datasets/%E0%A4%A`],
      ["GET", `/datasets/${ofB.dataset}/images/bad%ZZname.png`],
      ["PUT", `/datasets/${ofB.dataset}/images/bad%E0name.png`],
      ["GET", `/datasets/${ofB.dataset}/image-files/%FF.png`],
    ] as const) {
      const response = await callRest(t.api, method, path, {
        key: b.keys.admin,
        body: method === "PUT" ? pngFile(2, 2) : undefined,
      });
      expect(expectError(response, 400, "bad_request"), path).toMatch(/percent-encod/);
    }
  });
});
