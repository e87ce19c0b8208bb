// Starts the real server (embedded database, fresh data directory, built UI) once for the
// whole run, adds the users the tests sign in as, and hands their addresses and credentials
// to the tests through the environment. Returns the teardown.
import { startTestServer, REPO_ROOT } from "@pictograph/test-server";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const VIEWER = { email: "viewer@example.com", password: "viewer-password-1" };

export default async function globalSetup() {
  const server = await startTestServer({ ui: true });
  try {
    // The operator's way in: `pnpm admin` finds the running server through the data directory.
    execFileSync(
      "pnpm",
      [
        "--silent",
        "admin",
        "create-user",
        VIEWER.email,
        "--workspace",
        "default",
        "--role",
        "viewer",
        "--password",
        VIEWER.password,
      ],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, PICTOGRAPH_DATA_DIR: server.dataDir },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    // The same admin commands, sent straight to the server's admin route (quicker than a CLI start each).
    const secret = readFileSync(join(server.dataDir, "secret"), "utf8").trim();
    for (const command of [
      { command: "create-workspace", name: "research" },
      // An existing user keeps its password; the command needs one all the same.
      {
        command: "create-user",
        email: "admin@pictograph.local",
        password: "unused-password",
        workspace: "research",
        role: "member",
      },
    ]) {
      const response = await fetch(`${server.url}/api/v1/admin`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: JSON.stringify(command),
      });
      if (!response.ok)
        throw new Error(`admin ${command.command}: ${response.status} ${await response.text()}`);
    }
  } catch (error) {
    await server.stop();
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(
      `could not add the test users: ${(error as Error).message}\n${stderr}\n${server.output()}`,
      { cause: error },
    );
  }
  process.env.E2E_URL = server.url;
  process.env.E2E_API_KEY = server.apiKey;
  process.env.E2E_DATA_DIR = server.dataDir;
  process.env.E2E_ADMIN_PASSWORD = readFileSync(
    join(server.dataDir, "admin-password"),
    "utf8",
  ).trim();
  process.env.E2E_VIEWER_EMAIL = VIEWER.email;
  process.env.E2E_VIEWER_PASSWORD = VIEWER.password;
  return async () => {
    await server.stop();
  };
}
