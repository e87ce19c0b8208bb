// `pictograph login` and how every command finds the server: the saved login (0600), the
// environment over it, and one clear line when neither is there.
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "@pictograph/test-server";
import { beforeEach, describe, expect, it } from "vitest";
import { runBuilt } from "../../test/cli-process";
import { scratchFolder, testServer } from "../../test/server";

let config: string;
/** No server or key in the environment: only what `login` saved. */
const loggedOut = () => ({
  XDG_CONFIG_HOME: config,
  PICTOGRAPH_URL: undefined,
  PICTOGRAPH_API_KEY: undefined,
});

beforeEach(() => {
  config = scratchFolder("login-");
});

describe("pictograph login", () => {
  it("without a login, a command says how to log in (exit 1)", async () => {
    const run = await runBuilt(["datasets", "list"], { env: loggedOut() });
    expect(run).toMatchObject({ code: 1, stdout: "" });
    expect(run.stderr).toBe(
      "error: not logged in: run `pictograph login`, or set PICTOGRAPH_URL and PICTOGRAPH_API_KEY\n",
    );
  });

  it("checks the key, saves URL and key readable by the user only, and later commands use them", async () => {
    const server = testServer();
    const login = await runBuilt(["login", "--url", `${server.url}/`, "--api-key", server.apiKey], {
      env: loggedOut(),
    });
    expect(login).toMatchObject({ code: 0, stdout: "" });
    const path = join(config, "pictograph", "config.json");
    expect(login.stderr).toBe(
      `logged in to ${server.url}: workspace "default", role admin; saved to ${path}\n`,
    );
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(config, "pictograph"))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      url: server.url,
      api_key: server.apiKey,
    });

    const list = await runBuilt(["datasets", "list", "--json"], { env: loggedOut() });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((d) => d.name)).toContain("demo");
  });

  it("reads the key from standard input and prints JSON without it", async () => {
    const server = testServer();
    const login = await runBuilt(["login", "--url", server.url, "--json"], {
      env: loggedOut(),
      input: `${server.apiKey}\n`,
    });
    expect(login.code).toBe(0);
    expect(JSON.parse(login.stdout)).toEqual({
      url: server.url,
      workspace: "default",
      role: "admin",
      config_path: join(config, "pictograph", "config.json"),
    });
    expect(login.stdout).not.toContain(server.apiKey);
  });

  it("refuses a wrong key and saves nothing", async () => {
    const login = await runBuilt(["login", "--url", testServer().url, "--api-key", "pg_wrong"], {
      env: loggedOut(),
    });
    expect(login.code).toBe(1);
    expect(login.stderr).toMatch(
      /^error: the API key is invalid or revoked \(HTTP 401, request [0-9a-f-]{36}\)\n$/,
    );
    await expect(stat(join(config, "pictograph", "config.json"))).rejects.toMatchObject({
      code: "ENOENT",
    });
  });

  it("without a URL anywhere, is a usage error (exit 2)", async () => {
    const login = await runBuilt(["login", "--api-key", "k"], { env: loggedOut() });
    expect(login).toMatchObject({
      code: 2,
      stderr: "error: no server URL: pass --url or set PICTOGRAPH_URL\n",
    });
  });

  it("PICTOGRAPH_URL and PICTOGRAPH_API_KEY override the saved login", async () => {
    const server = testServer();
    await runBuilt(["login", "--url", server.url, "--api-key", server.apiKey], {
      env: loggedOut(),
    });
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await runBuilt(["datasets", "list"], {
      env: { ...loggedOut(), PICTOGRAPH_URL: closed },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: cannot reach ${closed}: ECONNREFUSED\n`);
  });
});
