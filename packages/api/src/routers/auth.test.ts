// The web UI's way in, through the tRPC endpoint as the browser calls it: sign-in with email
// and password sets an HttpOnly session cookie that then works on tRPC and REST alike;
// wrong credentials, switching workspaces, signing out and expiry. Errors carry the same
// error body as REST inside tRPC's envelope.
import { testBackends } from "@pictograph/db/testing";
import { ErrorBodySchema } from "@pictograph/schema";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runAdminCommand } from "../admin";
import { TRPC_BASE } from "../http/handler";
import {
  callRest,
  expectError,
  expectOk,
  openTestApi,
  provisionWorkspace,
  type TestApi,
  type TestWorkspace,
} from "../testing";

type TrpcResult = {
  status: number;
  body: {
    result?: { data: unknown };
    error?: { message: string; data: { httpStatus: number; body: unknown } };
  };
  setCookie: string | null;
};

describe.each(testBackends(process.env.TEST_DATABASE_URL))("web sign-in on $name", (backend) => {
  let t: TestApi;
  let home: TestWorkspace;
  let second: TestWorkspace;
  const password = "correct horse battery";

  async function trpc(
    procedure: string,
    input: unknown,
    cookie?: string,
    method: "GET" | "POST" = "POST",
  ): Promise<TrpcResult> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (cookie) headers.cookie = cookie;
    const url = new URL(`http://pictograph.test${TRPC_BASE}/${procedure}`);
    if (method === "GET" && input !== undefined)
      url.searchParams.set("input", JSON.stringify(input));
    const response = await t.api.handleTrpc(
      new Request(url, {
        method,
        headers,
        body: method === "POST" ? JSON.stringify(input ?? null) : undefined,
      }),
    );
    return {
      status: response.status,
      body: (await response.json()) as TrpcResult["body"],
      setCookie: response.headers.get("set-cookie"),
    };
  }

  async function trpcRaw(procedure: string, body: string): Promise<TrpcResult> {
    const request = new Request(`http://pictograph.test${TRPC_BASE}/${procedure}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": home.keys.member },
      body,
    });
    const response = await t.api.handleTrpc(request);
    return {
      status: response.status,
      body: (await response.json()) as TrpcResult["body"],
      setCookie: null,
    };
  }

  /** The error body tRPC carries, checked against the one error shape. */
  function trpcError(result: TrpcResult, status: number, code: string): string {
    expect(result.status, JSON.stringify(result.body)).toBe(status);
    const body = ErrorBodySchema.parse(result.body.error?.data.body);
    expect(body.error.code).toBe(code);
    expect(result.body.error?.message).toBe(body.error.message);
    return body.error.message;
  }

  async function signIn(email: string): Promise<string> {
    const result = await trpc("auth.signIn", { email, password });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    const cookie = /^(pictograph_session=[^;]+)/.exec(result.setCookie ?? "")?.[1];
    expect(cookie).toBeDefined();
    return cookie!;
  }

  beforeAll(async () => {
    t = await openTestApi(backend, { recordJobs: true });
    home = await provisionWorkspace(t.db, "home-ws");
    second = await provisionWorkspace(t.db, "second-ws");
    await runAdminCommand(t.db, {
      command: "create-user",
      email: "ada@example.com",
      password,
      workspace: home.name,
      role: "member",
    });
    await runAdminCommand(t.db, {
      command: "create-user",
      email: "ada@example.com",
      password,
      workspace: second.name,
      role: "viewer",
    });
    await runAdminCommand(t.db, {
      command: "create-user",
      email: "viewer@example.com",
      password,
      workspace: home.name,
      role: "viewer",
    });
    expectOk(
      await callRest(t.api, "POST", "/datasets", {
        key: second.keys.admin,
        json: { name: "only-in-second" },
      }),
      201,
    );
  });
  afterAll(() => t?.close());
  afterEach(() => expect(t.internalErrors).toEqual([]));

  it("signs in with email and password and sets an HttpOnly session cookie that works on tRPC and REST", async () => {
    const result = await trpc("auth.signIn", { email: "ADA@example.com", password });
    expect(result.status).toBe(200);
    expect(result.body.result?.data).toEqual({
      email: "ada@example.com",
      workspace: home.name,
      role: "member",
      workspaces: [
        { name: home.name, role: "member" },
        { name: second.name, role: "viewer" },
      ],
    });
    expect(result.setCookie).toMatch(
      /^pictograph_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=2592000$/,
    );
    const cookie = /^(pictograph_session=[^;]+)/.exec(result.setCookie!)![1]!;

    const session = await trpc("auth.session", undefined, cookie, "GET");
    expect(session.body.result?.data).toMatchObject({
      email: "ada@example.com",
      workspace: home.name,
    });
    const me = await callRest(t.api, "GET", "/me", { headers: { cookie } });
    expect(expectOk(me)).toEqual({ workspace: home.name, role: "member", auth: "session" });
    // The member may write through tRPC with the cookie alone.
    const created = await trpc("datasets.create", { name: "from-the-web" }, cookie);
    expect(created.body.result?.data).toMatchObject({ name: "from-the-web" });
    expect((await trpc("datasets.list", {}, cookie, "GET")).body.result?.data).toMatchObject({
      data: [{ name: "from-the-web" }],
    });
  });

  it("refuses wrong credentials with 401 in the one error body, saying nothing about which part was wrong", async () => {
    const wrongPassword = trpcError(
      await trpc("auth.signIn", { email: "ada@example.com", password: "nope-nope" }),
      401,
      "unauthorized",
    );
    const noSuchUser = trpcError(
      await trpc("auth.signIn", { email: "nobody@example.com", password }),
      401,
      "unauthorized",
    );
    expect(wrongPassword).toBe("wrong email or password");
    expect(noSuchUser).toBe(wrongPassword);
    expect(
      trpcError(await trpc("auth.signIn", { email: "", password: "" }), 422, "validation_error"),
    ).toMatch(/enter your email/);
    // The transport's own refusals carry the error body too, and no error carries a stack trace.
    const refusals = [
      [await trpcRaw("datasets.create", "{not json"), 400, "bad_request"],
      [await trpc("nothing.here", undefined, undefined, "GET"), 404, "not_found"],
      [await trpc("datasets.list", {}, undefined, "POST"), 405, "method_not_allowed"],
    ] as const;
    for (const [result, status, code] of refusals) {
      trpcError(result, status, code);
      expect(JSON.stringify(result.body)).not.toMatch(/stack|at file:/);
    }
    expect(
      (await trpc("auth.signIn", { email: "ada@example.com", password: "nope-nope" })).setCookie,
    ).toBeNull();
    // Without a session, procedures are 401 and the session is null.
    trpcError(await trpc("datasets.list", {}, undefined, "GET"), 401, "unauthorized");
    expect((await trpc("auth.session", undefined, undefined, "GET")).body.result?.data).toBeNull();
    trpcError(
      await trpc("datasets.list", {}, "pictograph_session=forged", "GET"),
      401,
      "unauthorized",
    );
  });

  it("applies the session's role and workspace, and switches to another workspace of the user", async () => {
    const viewer = await signIn("viewer@example.com");
    expect(
      trpcError(await trpc("datasets.create", { name: "nope" }, viewer), 403, "forbidden"),
    ).toContain("your role is viewer");
    expectError(
      await callRest(t.api, "POST", "/datasets", {
        headers: { cookie: viewer },
        json: { name: "nope" },
      }),
      403,
      "forbidden",
    );

    const ada = await signIn("ada@example.com");
    expectError(
      await callRest(t.api, "GET", "/datasets/only-in-second", { headers: { cookie: ada } }),
      404,
      "not_found",
    );
    const switched = await trpc("auth.switchWorkspace", { workspace: second.name }, ada);
    expect(switched.body.result?.data).toMatchObject({ workspace: second.name, role: "viewer" });
    expectOk(
      await callRest(t.api, "GET", "/datasets/only-in-second", { headers: { cookie: ada } }),
    );
    expectError(
      await callRest(t.api, "DELETE", "/datasets/only-in-second", { headers: { cookie: ada } }),
      403,
      "forbidden",
    );
    // A workspace the user is not a member of is not found.
    trpcError(
      await trpc("auth.switchWorkspace", { workspace: "somewhere-else" }, ada),
      404,
      "not_found",
    );
    trpcError(await trpc("auth.switchWorkspace", { workspace: second.name }), 401, "unauthorized");
  });

  it("ends the session on sign-out, and after 30 days", async () => {
    const ada = await signIn("ada@example.com");
    const out = await trpc("auth.signOut", undefined, ada);
    expect(out.status).toBe(200);
    expect(out.setCookie).toMatch(
      /^pictograph_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0$/,
    );
    expect(
      expectError(
        await callRest(t.api, "GET", "/me", { headers: { cookie: ada } }),
        401,
        "unauthorized",
      ),
    ).toContain("sign in again");

    const again = await signIn("viewer@example.com");
    expectOk(await callRest(t.api, "GET", "/me", { headers: { cookie: again } }));
    // Sessions last 30 days.
    const now = t.services.now;
    t.services.now = () => new Date(Date.now() + 31 * 86_400_000);
    try {
      expectError(
        await callRest(t.api, "GET", "/me", { headers: { cookie: again } }),
        401,
        "unauthorized",
      );
    } finally {
      t.services.now = now;
    }
  });
});
