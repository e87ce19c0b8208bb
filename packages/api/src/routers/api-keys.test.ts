// API keys over REST: shown once and stored hashed, listed without the secret, created with
// a role, revoked at once; and instance administration through POST /api/v1/admin, whose
// credential is the instance secret (how `pnpm admin` reaches a running embedded server).
import { executeSqlText } from "@pictograph/db";
import { testBackends } from "@pictograph/db/testing";
import { ROLES, type ApiKey } from "@pictograph/schema";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  callRest,
  expectError,
  expectOk,
  openTestApi,
  provisionWorkspace,
  type TestApi,
  type TestWorkspace,
} from "../testing";

type Created = ApiKey & { key: string };

describe.each(testBackends(process.env.TEST_DATABASE_URL))(
  "API keys and administration on $name",
  (backend) => {
    let t: TestApi;
    let ws: TestWorkspace;
    const call = (method: string, path: string, json?: unknown) =>
      callRest(t.api, method, path, { key: ws.keys.admin, json });
    const admin = (json: unknown, secret = t.services.secret) =>
      callRest(t.api, "POST", "/admin", { json, headers: { authorization: `Bearer ${secret}` } });

    beforeAll(async () => {
      t = await openTestApi(backend, { recordJobs: true });
      ws = await provisionWorkspace(t.db);
    });
    afterAll(() => t?.close());
    afterEach(() => expect(t.internalErrors).toEqual([]));

    it("shows a new key once, stores only its hash, and lists keys without secrets", async () => {
      const created = expectOk<Created>(
        await call("POST", "/api-keys", { name: "ci pipeline", role: "viewer" }),
        201,
      );
      expect(created).toMatchObject({
        name: "ci pipeline",
        role: "viewer",
        last_used_at: null,
        revoked_at: null,
      });
      expect(created.key).toMatch(/^pg_[A-Za-z0-9_-]{32}$/);
      expect(created.key.startsWith(created.prefix)).toBe(true);
      expect(created.prefix.length).toBeLessThan(created.key.length / 2);

      const listed = expectOk<ApiKey[]>(await call("GET", "/api-keys"));
      expect(listed[0]).toEqual({ ...created, key: undefined });
      expect(JSON.stringify(listed)).not.toContain(created.key);
      // Nothing in the database holds the key itself.
      const { rows } = await executeSqlText(t.db, "SELECT * FROM api_keys WHERE id = $1", [
        created.id,
      ]);
      expect(JSON.stringify(rows)).not.toContain(created.key);

      // It works at once with its role, and its first use is recorded.
      expect(expectOk(await callRest(t.api, "GET", "/me", { key: created.key }))).toMatchObject({
        role: "viewer",
      });
      const used = expectOk<ApiKey[]>(await call("GET", "/api-keys")).find(
        (k) => k.id === created.id,
      )!;
      expect(used.last_used_at).not.toBeNull();
      // The default role is member.
      expect(
        expectOk<Created>(await call("POST", "/api-keys", { name: "default role" }), 201).role,
      ).toBe("member");
    });

    it("refuses bad key requests with 422 listing the valid values, and unknown keys with 404", async () => {
      expect(
        expectError(
          await call("POST", "/api-keys", { name: "x", role: "owner" }),
          422,
          "validation_error",
        ),
      ).toContain(`role must be one of: ${ROLES.join(", ")}`);
      expect(
        expectError(await call("POST", "/api-keys", { name: "" }), 422, "validation_error"),
      ).toContain("key name must be 1–120 characters");
      expect(expectError(await call("POST", "/api-keys", {}), 422, "validation_error")).toMatch(
        /name/,
      );
      expectError(await call("DELETE", `/api-keys/${crypto.randomUUID()}`), 404, "not_found");
    });

    it("revokes a key at once; an admin key can revoke itself", async () => {
      const own = expectOk<Created>(
        await call("POST", "/api-keys", { name: "self", role: "admin" }),
        201,
      );
      const revoked = expectOk<ApiKey>(
        await callRest(t.api, "DELETE", `/api-keys/${own.id}`, { key: own.key }),
      );
      expect(revoked.revoked_at).not.toBeNull();
      expectError(await callRest(t.api, "GET", "/api-keys", { key: own.key }), 401, "unauthorized");
      expect(
        expectOk<ApiKey[]>(await call("GET", "/api-keys")).find((k) => k.id === own.id)?.revoked_at,
      ).toBe(revoked.revoked_at);
    });

    it("administers the instance through /admin with the instance secret only", async () => {
      expect(
        expectOk<{ message: string }>(
          await admin({ command: "create-workspace", name: "made-by-admin" }),
        ).message,
      ).toBe('created workspace "made-by-admin"');
      const issued = expectOk<{ key: string }>(
        await admin({
          command: "create-api-key",
          workspace: "made-by-admin",
          role: "admin",
          name: "ops",
        }),
      );
      expect(expectOk(await callRest(t.api, "GET", "/me", { key: issued.key }))).toEqual({
        workspace: "made-by-admin",
        role: "admin",
        auth: "api_key",
      });

      expectError(
        await admin({ command: "create-workspace", name: "x" }, "wrong-secret"),
        401,
        "unauthorized",
      );
      // An API key, even an admin's, is not the instance secret.
      expectError(
        await admin({ command: "create-workspace", name: "x" }, issued.key),
        401,
        "unauthorized",
      );
      expect(
        expectError(
          await admin({ command: "create-workspace", name: "made-by-admin" }),
          409,
          "conflict",
        ),
      ).toBe('workspace "made-by-admin" already exists');
      expect(
        expectError(
          await admin({ command: "create-api-key", workspace: "nowhere", role: "admin" }),
          404,
          "not_found",
        ),
      ).toContain("pnpm admin create-workspace nowhere");
      expectError(await admin({ command: "drop-everything" }), 422, "validation_error");
      expectError(
        await admin({
          command: "create-user",
          email: "not-an-email",
          password: "long enough",
          workspace: "made-by-admin",
          role: "admin",
        }),
        422,
        "validation_error",
      );
      expect(
        expectError(
          await admin({
            command: "create-user",
            email: "a@b.co",
            password: "short",
            workspace: "made-by-admin",
            role: "admin",
          }),
          422,
          "validation_error",
        ),
      ).toContain("password must be at least 8 characters");
      const malformed = await callRest(t.api, "POST", "/admin", {
        body: "{",
        headers: { authorization: `Bearer ${t.services.secret}` },
      });
      expectError(malformed, 400, "bad_request");
    });
  },
);
