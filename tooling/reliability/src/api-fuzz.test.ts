// Fuzzes every REST route of a real server (embedded mode) with fast-check: the routes come
// from the server's own /api/v1/openapi.json plus the admin route it leaves out, so a new
// endpoint is fuzzed without touching this file. Path parameters mix real ids, another
// workspace's ids and garbage; queries and bodies are schema-shaped-but-wrong or raw garbage;
// credentials are right, missing, wrong or another workspace's. Every answer must be below
// 500, every refusal must carry @pictograph/schema's error body, nothing is served without
// credentials or across workspaces, and the server must still be up at the end.
import { pngBytes } from "@pictograph/formats/testing";
import { ERROR_CODES, ErrorBodySchema } from "@pictograph/schema";
import { startTestServer, type TestServer } from "@pictograph/test-server";
import fc from "fast-check";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FULL } from "./env";
import { recordFigures } from "./figures";
import {
  hostileString,
  plant,
  rawJsonText,
  routesOf,
  validValue,
  withPrototypeKeys,
  wrongValue,
  type FuzzRoute,
  type Hints,
  type JsonSchema,
  type OpenApiDocument,
} from "./openapi-arbitraries";
import { closeRawConnections, sendRaw, type RawResponse } from "./raw-http";

const NUM_RUNS = FULL ? 20_000 : 2_000;
// About 30 ms a case on a loaded two-core machine, plus fixture rebuilds; with room to spare.
const FUZZ_TIMEOUT_MS = FULL ? 7_200_000 : 900_000;
const SECRET = randomBytes(32).toString("hex");
const DATASET = "fuzz";
const IMAGE_PATH = "a/b.png";
const CLASS = "cat";
const EXPORT = "fuzz-export";
const OTHER_DATASET = "other-ds";

/** The real things the fuzz points at; re-created when a fuzzed request deletes or renames
 * them, so later cases still reach deep into the routes. */
type Fixtures = {
  exportId: string;
  expires: string;
  signature: string;
  importId: string;
  keyId: string;
  otherKey: string;
  otherImportId: string;
  otherKeyId: string;
  zip: Buffer;
};

// Tokens stand for fixture values in generated cases and are resolved when a case is sent:
// fixtures change when the fuzz deletes them, and counterexamples read better this way.
const OUR_ID_TOKENS = ["{{exportId}}", "{{importId}}", "{{keyId}}"] as const;
const OTHER_ID_TOKENS = ["{{otherImportId}}", "{{otherKeyId}}"] as const;
const VALID_PARAMS: Record<string, readonly string[]> = {
  dataset: [DATASET],
  path: [IMAGE_PATH],
  name: [EXPORT],
  id: OUR_ID_TOKENS,
  anything: ["health", "openapi.json", "me"],
};
const OTHER_PARAMS: Record<string, readonly string[]> = {
  dataset: [OTHER_DATASET],
  id: OTHER_ID_TOKENS,
};
const HINTS: Hints = {
  dataset: [DATASET, OTHER_DATASET],
  path: [IMAGE_PATH],
  class_name: [CLASS],
  name: [DATASET, EXPORT, CLASS],
  expires: ["{{expires}}"],
  signature: ["{{signature}}"],
  format: ["coco", "yolo", "pictograph"],
  workspace: ["default", "other"],
};

/** Routes the OpenAPI document leaves out on purpose, fuzzed all the same. */
const UNDOCUMENTED: FuzzRoute[] = [
  {
    id: "admin.run",
    method: "POST",
    path: "/admin",
    pathParams: [],
    query: [],
    body: {
      contentType: "application/json",
      schema: {
        type: "object",
        properties: {
          command: { enum: ["create-workspace", "create-user", "create-api-key"] },
          name: { type: "string" },
          email: { type: "string" },
          password: { type: "string" },
          workspace: { type: "string" },
          role: { enum: ["viewer", "member", "admin"] },
        },
        required: ["command"],
      },
    },
    secured: true,
  },
  {
    id: "openapi",
    method: "GET",
    path: "/openapi.json",
    pathParams: [],
    query: [],
    body: null,
    secured: false,
  },
  {
    id: "unknown",
    method: "GET",
    path: "/{anything}",
    pathParams: ["anything"],
    query: [],
    body: null,
    secured: true,
  },
];

type Auth = "key" | "x-api-key" | "none" | "wrong" | "malformed" | "other" | "secret";
type Body =
  { kind: "text"; text: string } | { kind: "png" | "zip" } | { kind: "bytes"; bytes: Uint8Array };
type Case = {
  route: string;
  method: string;
  params: string[];
  query: string;
  auth: Auth;
  headers: Record<string, string>;
  contentType: string | null;
  body: Body | null;
};

/** Percent-encodes what a URL path cannot carry raw (non-ASCII, controls, space), nothing else,
 * so `../` and malformed escapes reach the server as written. */
function rawSegment(text: string): string {
  return [...Buffer.from(text, "utf8")]
    .map((byte) =>
      byte > 0x20 && byte < 0x7f && byte !== 0x3f && byte !== 0x23
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, "0").toUpperCase()}`,
    )
    .join("");
}

/** Every byte except unreserved characters encoded; lone surrogates become U+FFFD first. */
function encodedSegment(text: string): string {
  return [...Buffer.from(text, "utf8")]
    .map((byte) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, "0").toUpperCase()}`,
    )
    .join("");
}

const garbageSegment: fc.Arbitrary<string> = fc.oneof(
  hostileString.map(encodedSegment),
  hostileString.map(rawSegment),
  fc.constantFrom(
    "",
    "%",
    "%zz",
    "%E0%A4%A",
    "%2e%2e",
    "%2F",
    "..",
    ".",
    "%00",
    "a%2F..%2F..%2Fb",
    "..%2F..%2Fetc%2Fpasswd",
  ),
  fc.uuid(),
  fc.integer({ min: 1000, max: 8000 }).map((n) => "a".repeat(n)),
  fc.integer({ min: 100, max: 1300 }).map((n) => "%C3%BC".repeat(n)),
);

function paramArbitrary(name: string): fc.Arbitrary<string> {
  const valid = VALID_PARAMS[name] ?? [];
  const other = OTHER_PARAMS[name] ?? [];
  const choices = [{ arbitrary: garbageSegment, weight: 3 }];
  if (valid.length) choices.push({ arbitrary: fc.constantFrom(...valid), weight: 5 });
  if (other.length) choices.push({ arbitrary: fc.constantFrom(...other), weight: 1 });
  return fc.oneof(...choices);
}

const asQueryText = (value: unknown): string =>
  typeof value === "string"
    ? value
    : Array.isArray(value)
      ? value.map(asQueryText).join(",")
      : (JSON.stringify(value) ?? "");

function queryArbitrary(route: FuzzRoute): fc.Arbitrary<string> {
  const declared: Record<string, fc.Arbitrary<string>> = {};
  for (const { name, schema } of route.query)
    declared[name] = fc.oneof(
      { arbitrary: validValue(schema, HINTS, name).map(asQueryText), weight: 3 },
      { arbitrary: hostileString, weight: 1 },
      { arbitrary: wrongValue.map(asQueryText), weight: 1 },
    );
  const shaped = fc
    .tuple(
      fc.record(declared, { requiredKeys: [] }),
      fc.dictionary(hostileString, hostileString, { maxKeys: 2 }),
    )
    .map(([known, extra]) =>
      new URLSearchParams({ ...extra, ...(known as Record<string, string>) }).toString(),
    );
  const raw = fc.constantFrom(
    "%",
    "a=%zz",
    "&&&==",
    "limit=1&limit=2",
    "limit[]=1",
    "=x",
    "format=coco&format=yolo",
    "cursor=%00",
    "limit=NaN",
    "limit=1e400",
    "limit=-0",
  );
  return fc.oneof(
    { arbitrary: shaped, weight: 4 },
    { arbitrary: raw, weight: 1 },
    { arbitrary: fc.constant(""), weight: 2 },
  );
}

function jsonBodyArbitrary(schema: JsonSchema): fc.Arbitrary<Body | null> {
  const valid = validValue(schema, HINTS);
  const text = (value: unknown): Body => ({ kind: "text", text: JSON.stringify(value) ?? "" });
  return fc.oneof(
    { arbitrary: valid.map(text), weight: 3 },
    {
      arbitrary: fc
        .tuple(valid, wrongValue, fc.nat(), hostileString)
        .map(([v, wrong, pick, key]) => text(plant(v, wrong, pick, key))),
      weight: 4,
    },
    {
      arbitrary: valid.map((v) => ({
        kind: "text" as const,
        text: withPrototypeKeys(JSON.stringify(v) ?? "{}"),
      })),
      weight: 1,
    },
    { arbitrary: rawJsonText.map((t) => ({ kind: "text" as const, text: t })), weight: 2 },
    { arbitrary: fc.constant(null), weight: 1 },
  );
}

const bytesBody: fc.Arbitrary<Body | null> = fc.oneof(
  fc.constant<Body>({ kind: "png" }),
  fc.constant<Body>({ kind: "zip" }),
  fc.uint8Array({ maxLength: 4096 }).map((bytes): Body => ({ kind: "bytes", bytes })),
  rawJsonText.map((t): Body => ({ kind: "text", text: t })),
  fc.constant(null),
);

const contentTypes = (declared: string | undefined) =>
  fc.oneof(
    { arbitrary: fc.constant(declared ?? "application/json"), weight: 5 },
    {
      arbitrary: fc.constantFrom(
        null,
        "text/plain",
        "application/json",
        "application/json; charset=utf-16",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/zip",
        "image/png",
        "application/octet-stream",
        "garbage",
      ),
      weight: 2,
    },
  );

const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    range: fc.constantFrom(
      "bytes=0-0",
      "bytes=-1",
      "bytes=5-1",
      "bytes=abc",
      "bytes=0-99999999999999",
      "bytes=-0",
      "bytes=0-1,4-5",
      "items=0-1",
    ),
    "if-none-match": fc.constantFrom('"x"', "*", ""),
    accept: fc.constantFrom("application/xml", "*/*", "text/html;q=0"),
    host: fc.constantFrom("[", "a b", "x:99999", "%%", "localhost:1", "üñí.example"),
    "content-encoding": fc.constantFrom("gzip", "br", "identity"),
  },
  { requiredKeys: [] },
);

function caseArbitrary(route: FuzzRoute): fc.Arbitrary<Case> {
  const body = route.body
    ? route.body.contentType === "application/json"
      ? jsonBodyArbitrary(route.body.schema)
      : bytesBody
    : fc.oneof(
        { arbitrary: fc.constant(null), weight: 6 },
        { arbitrary: rawJsonText.map((t): Body => ({ kind: "text", text: t })), weight: 1 },
      );
  return fc.record({
    route: fc.constant(route.id),
    method: fc.oneof(
      { arbitrary: fc.constant(route.method), weight: 12 },
      {
        arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"),
        weight: 1,
      },
    ),
    params: fc.tuple(...route.pathParams.map(paramArbitrary)),
    query: queryArbitrary(route),
    auth: fc.oneof(
      { arbitrary: fc.constant<Auth>(route.id === "admin.run" ? "secret" : "key"), weight: 8 },
      {
        arbitrary: fc.constantFrom<Auth>(
          "x-api-key",
          "none",
          "wrong",
          "malformed",
          "other",
          "secret",
          "key",
        ),
        weight: 3,
      },
    ),
    headers: fc.oneof(
      { arbitrary: fc.constant({}), weight: 4 },
      { arbitrary: extraHeaders, weight: 1 },
    ),
    contentType: contentTypes(route.body?.contentType),
    body,
  }) as fc.Arbitrary<Case>;
}

describe("API fuzzing", () => {
  let server: TestServer;
  let fixtures: Fixtures;
  const restores: string[] = [];

  const call = async (
    method: string,
    path: string,
    options: { json?: unknown; bytes?: Uint8Array; key?: string; type?: string } = {},
  ) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.key ?? server.apiKey}`,
    };
    let body: string | Uint8Array | undefined;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.bytes) {
      headers["content-type"] = options.type ?? "application/octet-stream";
      body = options.bytes;
    }
    const response = await sendRaw(
      server.url,
      { method, path: path.startsWith("/api/") ? path : `/api/v1${path}`, headers, body },
      { maxBodyBytes: 64 * 1024 * 1024 },
    );
    return {
      status: response.status,
      body: response.body,
      json: () => JSON.parse(response.body.toString("utf8")) as Record<string, unknown>,
    };
  };
  const must = async (expected: number[], ...args: Parameters<typeof call>) => {
    const response = await call(...args);
    if (!expected.includes(response.status))
      throw new Error(
        `${args[0]} ${args[1]}: ${response.status} ${response.body.toString("utf8").slice(0, 500)}`,
      );
    return response;
  };

  async function waitForExport(): Promise<Record<string, unknown>> {
    for (let i = 0; i < 600; i++) {
      const row = (await must([200], "GET", `/datasets/${DATASET}/exports/${EXPORT}`)).json();
      if (row.status === "completed") return row;
      if (row.status === "failed") throw new Error(`fixture export failed: ${JSON.stringify(row)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error("fixture export did not complete in 150 s");
  }

  /** Puts back whatever fixture a fuzzed request deleted, renamed or emptied. */
  async function ensureFixtures(): Promise<void> {
    if ((await call("GET", `/datasets/${DATASET}`)).status === 404) {
      restores.push("dataset");
      await must([201, 200], "POST", "/datasets", {
        json: { name: DATASET, classes: [{ name: CLASS, color: "#ff0000" }] },
      });
    }
    const classes = (
      await must([200], "GET", `/datasets/${DATASET}/classes`)
    ).json() as unknown as { name: string }[];
    if (!classes.some((c) => c.name === CLASS)) {
      restores.push("classes");
      await must([200], "PUT", `/datasets/${DATASET}/classes`, {
        json: { classes: [...classes, { name: CLASS, color: "#ff0000" }] },
      });
    }
    if ((await call("GET", `/datasets/${DATASET}/images/${IMAGE_PATH}`)).status === 404) {
      restores.push("image");
      // 200 when a fuzzed import brought it back meanwhile.
      await must([201, 200], "PUT", `/datasets/${DATASET}/images/${IMAGE_PATH}`, {
        bytes: pngBytes(4, 4),
      });
      await must([200], "PUT", `/datasets/${DATASET}/annotations/${IMAGE_PATH}`, {
        json: {
          annotations: [{ type: "bbox", bbox: { x: 0, y: 0, w: 2, h: 2 }, class_name: CLASS }],
        },
      });
    }
    const exportRow = await call("GET", `/datasets/${DATASET}/exports/${EXPORT}`);
    if (exportRow.status === 404 || exportRow.json().id !== fixtures?.exportId) {
      if (exportRow.status === 404) {
        restores.push("export");
        await must([201, 202, 200], "POST", `/datasets/${DATASET}/exports`, {
          json: { name: EXPORT, format: "coco", status_filter: "all" },
        });
      }
      const row = await waitForExport();
      const link = (
        await must([200], "GET", `/datasets/${DATASET}/exports/${EXPORT}/download`)
      ).json();
      const signed = new URL(link.url as string, server.url);
      fixtures.exportId = row.id as string;
      fixtures.expires = signed.searchParams.get("expires")!;
      fixtures.signature = signed.searchParams.get("signature")!;
      fixtures.zip = (await must([200], "GET", `${signed.pathname}${signed.search}`)).body;
    }
    if ((await call("GET", `/datasets/${DATASET}/imports/${fixtures.importId}`)).status === 404) {
      if (fixtures.importId) restores.push("import");
      const created = await must([202], "POST", `/datasets/${DATASET}/imports?format=coco`, {
        bytes: fixtures.zip,
        type: "application/zip",
      });
      fixtures.importId = created.json().id as string;
    }
  }

  beforeAll(async () => {
    server = await startTestServer({ env: { PICTOGRAPH_SECRET: SECRET } });
    fixtures = {
      exportId: "",
      expires: "",
      signature: "",
      importId: "",
      keyId: "",
      otherKey: "",
      otherImportId: "",
      otherKeyId: "",
      zip: Buffer.alloc(0),
    };
    await ensureFixtures();
    restores.length = 0;
    fixtures.keyId = (
      await must([201, 200], "POST", "/api-keys", { json: { name: "revocable" } })
    ).json().id as string;
    // A second workspace, through the admin route, so cross-workspace ids are real ones.
    const admin = { key: SECRET };
    await must([200], "POST", "/admin", {
      ...admin,
      json: { command: "create-workspace", name: "other" },
    });
    const issued = (
      await must([200], "POST", "/admin", {
        ...admin,
        json: { command: "create-api-key", workspace: "other", role: "admin" },
      })
    ).json();
    fixtures.otherKey = issued.key as string;
    const other = { key: fixtures.otherKey };
    await must([201, 200], "POST", "/datasets", { ...other, json: { name: OTHER_DATASET } });
    fixtures.otherImportId = (
      await must([202], "POST", `/datasets/${OTHER_DATASET}/imports?format=coco`, {
        ...other,
        bytes: fixtures.zip,
        type: "application/zip",
      })
    ).json().id as string;
    fixtures.otherKeyId = (
      await must([201, 200], "POST", "/api-keys", { ...other, json: { name: "other-revocable" } })
    ).json().id as string;
  }, 300_000);

  afterAll(async () => {
    closeRawConnections();
    await server?.stop();
  });

  const resolve = (text: string): string =>
    text.replace(
      /\{\{(\w+)\}\}|%7B%7B(\w+)%7D%7D/g,
      (_, a: string | undefined, b: string | undefined) => {
        const key = (a ?? b)! as keyof Fixtures;
        return String(fixtures[key]);
      },
    );

  async function send(route: FuzzRoute, c: Case): Promise<RawResponse> {
    let path = route.path;
    route.pathParams.forEach((name, i) => {
      const value = c.params[i]!;
      // A real image path keeps its slashes; everything else is one segment.
      const encoded = value === IMAGE_PATH ? value : resolve(value);
      path = path.replace(new RegExp(`\\{${name}\\+?\\}`), () => encoded);
    });
    const prefix = route.id === "unknown" ? "/api" : "/api/v1";
    const query = c.query ? `?${resolve(c.query)}` : "";
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(c.headers)) headers[name] = value;
    const auth: Record<Auth, Record<string, string>> = {
      key: { authorization: `Bearer ${server.apiKey}` },
      "x-api-key": { "x-api-key": server.apiKey },
      none: {},
      wrong: { authorization: `Bearer pg_${"0".repeat(40)}` },
      malformed: { authorization: `Basic ${"!".repeat(300)}` },
      other: { authorization: `Bearer ${fixtures.otherKey}` },
      secret: { authorization: `Bearer ${SECRET}` },
    };
    Object.assign(headers, auth[c.auth]);
    if (c.contentType) headers["content-type"] = c.contentType;
    let body: string | Uint8Array | undefined;
    if (c.body?.kind === "text") body = resolve(c.body.text);
    else if (c.body?.kind === "png") body = pngBytes(8, 8);
    else if (c.body?.kind === "zip") body = fixtures.zip;
    else if (c.body?.kind === "bytes") body = c.body.bytes;
    return sendRaw(
      server.url,
      { method: c.method, path: `${prefix}${path}${query}`, headers, body },
      { maxBodyBytes: 64 * 1024 * 1024 },
    );
  }

  it("survives a Host header that is not a host (it once crashed the server)", async () => {
    for (const host of ["a b", "[", "%%"]) {
      const response = await sendRaw(server.url, {
        method: "GET",
        path: "/api/v1/me",
        headers: { host, authorization: `Bearer ${server.apiKey}` },
      });
      expect(response.status).toBe(200);
    }
    expect(server.process.exitCode).toBeNull();
  });

  it("refuses a URL over Node's 16 KB header limit in the error body (it was a bare 431)", async () => {
    const response = await sendRaw(server.url, {
      method: "GET",
      path: `/api/v1/exports?status=${"x".repeat(20_000)}`,
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    expect(response.status).toBe(400);
    expect(ErrorBodySchema.parse(JSON.parse(response.body.toString("utf8"))).error.message).toMatch(
      /too large/,
    );
    // HEAD gets the status without a body, which a client would take for the next response.
    const head = await sendRaw(server.url, {
      method: "HEAD",
      path: `/api/v1/me?x=${"x".repeat(20_000)}`,
    });
    expect(head.status).toBe(400);
    expect(head.bodyBytes).toBe(0);
  });

  it(
    `answers ${NUM_RUNS} fuzzed requests over every route without a 5xx, each refusal in the error body`,
    async () => {
      const doc = (
        await must([200], "GET", "/api/v1/openapi.json")
      ).json() as unknown as OpenApiDocument;
      const routes = [...routesOf(doc), ...UNDOCUMENTED];
      const byId = new Map(routes.map((route) => [route.id, route]));
      expect(routes.length).toBeGreaterThan(25);

      const statusCounts = new Map<number, number>();
      const routesHit = new Set<string>();
      const routesOk = new Set<string>();
      let cases = 0;
      let crash: Case | undefined;
      const started = performance.now();

      const property = fc.asyncProperty(fc.oneof(...routes.map(caseArbitrary)), async (c) => {
        const route = byId.get(c.route)!;
        let response: RawResponse;
        try {
          response = await send(route, c);
        } catch (error) {
          // A dead server fails every later case too; keep the case that killed it.
          if (server.process.exitCode !== null) crash ??= c;
          throw new Error(
            `no answer (${(error as Error).message}); server output:\n${server.output().slice(-3000)}`,
            { cause: error },
          );
        }
        cases++;
        routesHit.add(route.id);
        statusCounts.set(response.status, (statusCounts.get(response.status) ?? 0) + 1);
        const text = response.body.toString("utf8");
        if (response.status >= 500)
          throw new Error(
            `${response.status}: ${text.slice(0, 1000)}\n${server.output().slice(-3000)}`,
          );
        if (response.status >= 200 && response.status < 300) routesOk.add(route.id);
        if (response.status >= 400 && c.method !== "HEAD") {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            throw new Error(
              `${response.status} without a JSON body: ${JSON.stringify(text.slice(0, 500))}`,
            );
          }
          const parsed = ErrorBodySchema.safeParse(json);
          if (!parsed.success)
            throw new Error(
              `${response.status} with a body that is not the error body: ${text.slice(0, 500)}`,
            );
          if (ERROR_CODES[parsed.data.error.code] !== response.status)
            throw new Error(
              `${response.status} carries code ${parsed.data.error.code} (${ERROR_CODES[parsed.data.error.code]})`,
            );
        }
        const served = response.status < 300;
        const credentialed =
          c.auth === "key" ||
          c.auth === "x-api-key" ||
          c.auth === "other" ||
          (c.auth === "secret" && route.id === "admin.run");
        if (
          served &&
          !credentialed &&
          route.secured &&
          c.method === route.method &&
          route.id !== "unknown"
        )
          throw new Error(`${route.id} served ${response.status} without valid credentials`);
        const sent = JSON.stringify(c);
        const crossed =
          (c.auth === "other" && OUR_ID_TOKENS.some((t) => sent.includes(t))) ||
          ((c.auth === "key" || c.auth === "x-api-key") &&
            OTHER_ID_TOKENS.some((t) => sent.includes(t)));
        if (served && crossed && route.id !== "exports.file")
          throw new Error(`${route.id} served ${response.status} naming another workspace's id`);
        if (served && c.method !== "GET" && c.method !== "HEAD") await ensureFixtures();
      });
      try {
        await fc.assert(property, { numRuns: NUM_RUNS, verbose: 1 });
      } catch (error) {
        if (crash)
          throw new Error(
            `the server exited on the request ${JSON.stringify(crash)}:\n${server.output().slice(-3000)}`,
            { cause: error },
          );
        throw error;
      }

      const seconds = (performance.now() - started) / 1000;
      const health = await call("GET", "/api/health");
      expect(server.process.exitCode).toBeNull();
      expect(health.status).toBe(200);
      expect(health.json().status).toBe("ok");
      expect(server.output()).not.toContain("[pictograph] request failed");
      // Every route was reached, and most answered a success at least once: the fuzz got past
      // the first check instead of bouncing off authentication or parsing.
      expect([...byId.keys()].filter((id) => !routesHit.has(id))).toEqual([]);
      expect(routesOk.size).toBeGreaterThan(routes.length * 0.6);

      const counts = Object.fromEntries(
        [...statusCounts].sort(([a], [b]) => a - b).map(([status, n]) => [`status ${status}`, n]),
      );
      console.log(
        `[api-fuzz] ${cases} requests over ${routesHit.size}/${routes.length} routes in ${seconds.toFixed(0)} s; 2xx on ${routesOk.size} routes; ${JSON.stringify(counts)}; fixtures restored: ${restores.length}`,
      );
      recordFigures("api-fuzz", {
        cases: NUM_RUNS,
        requests: cases,
        routes: routes.length,
        "routes fuzzed": routesHit.size,
        "routes answering 2xx": routesOk.size,
        "5xx responses": [...statusCounts].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0),
        "fixtures restored": restores.length,
        "duration s": Math.round(seconds),
        ...counts,
      });
    },
    FUZZ_TIMEOUT_MS,
  );
});
