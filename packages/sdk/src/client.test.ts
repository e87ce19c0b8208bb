// Client configuration as a user meets it: options, else PICTOGRAPH_URL and
// PICTOGRAPH_API_KEY (trimmed, empty = unset), and one clear error when something is missing.
import { afterEach, describe, expect, it } from "vitest";
import { testServer } from "../test/server";
import { Client } from "./client";
import { AuthenticationError, PictographError } from "./core/errors";

const saved = { url: process.env.PICTOGRAPH_URL, key: process.env.PICTOGRAPH_API_KEY };

function setEnv(url: string | undefined, key: string | undefined) {
  if (url === undefined) delete process.env.PICTOGRAPH_URL;
  else process.env.PICTOGRAPH_URL = url;
  if (key === undefined) delete process.env.PICTOGRAPH_API_KEY;
  else process.env.PICTOGRAPH_API_KEY = key;
}

afterEach(() => setEnv(saved.url, saved.key));

describe("new Client()", () => {
  it("reads PICTOGRAPH_URL and PICTOGRAPH_API_KEY, trimmed", async () => {
    const server = testServer();
    setEnv(`  ${server.url}/  `, `\t${server.apiKey}\n`);
    const client = new Client();
    expect(client.baseUrl).toBe(server.url);
    expect(await client.workspace.me()).toEqual({
      workspace: "default",
      role: "admin",
      auth: "api_key",
    });
  });

  it("prefers the options to the environment", async () => {
    const server = testServer();
    setEnv("http://127.0.0.1:1", "not-a-key");
    const client = new Client({ baseUrl: server.url, apiKey: server.apiKey });
    expect((await client.datasets.get("demo")).image_counts.total).toBe(36);
  });

  it("accepts a base URL that ends in /api/v1", async () => {
    const server = testServer();
    const client = new Client({ baseUrl: `${server.url}/api/v1/`, apiKey: server.apiKey });
    expect(client.baseUrl).toBe(server.url);
    expect((await client.workspace.me()).workspace).toBe("default");
  });

  it("names the option and the variable when the URL is missing or blank", () => {
    setEnv("   ", "key");
    expect(() => new Client()).toThrow(
      new PictographError(
        "Pictograph needs the server URL: pass `baseUrl` to new Client() or set PICTOGRAPH_URL",
      ),
    );
  });

  it("names the option and the variable when the key is missing, in the same error as the URL", () => {
    setEnv(undefined, "");
    expect(() => new Client()).toThrow(
      "Pictograph needs the server URL: pass `baseUrl` to new Client() or set PICTOGRAPH_URL; and an API key: pass `apiKey` to new Client() or set PICTOGRAPH_API_KEY",
    );
    setEnv("http://localhost:3000", undefined);
    expect(() => new Client()).toThrow(/^Pictograph needs an API key: pass `apiKey`/);
  });

  it("refuses a URL that is not http(s)", () => {
    expect(() => new Client({ baseUrl: "localhost:3000", apiKey: "k" })).toThrow(
      "the server URL must start with http:// or https://, not localhost://",
    );
    expect(() => new Client({ baseUrl: "not a url", apiKey: "k" })).toThrow(/is not a URL/);
  });

  it("a wrong key is an AuthenticationError with the server's reason", async () => {
    const client = new Client({ baseUrl: testServer().url, apiKey: "pg_wrong" });
    const error = await client.datasets.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({
      status: 401,
      code: "unauthorized",
      message: "the API key is invalid or revoked",
    });
    expect((error as AuthenticationError).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
