// Starts the real Pictograph server (apps/web/src/server/main.ts) as a child process for
// tests that talk HTTP: the SDK, the CLI, the browser tests. Embedded mode on a fresh data
// directory unless the caller passes DATABASE_URL; API only unless `ui` is set.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const SERVER_ENTRY = join(REPO_ROOT, "apps/web/src/server/main.ts");
const TSX = join(REPO_ROOT, "node_modules/.bin/tsx");

export type TestServer = {
  url: string;
  /** The admin API key of the `default` workspace (embedded first start). */
  apiKey: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the server printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function startTestServer(
  options: { env?: Record<string, string>; ui?: boolean; timeoutMs?: number } = {},
): Promise<TestServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "pictograph-server-"));
  const child = spawn(TSX, [SERVER_ENTRY], {
    cwd: REPO_ROOT,
    env: {
      // eslint-disable-next-line no-restricted-properties -- the server inherits the test's environment
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      PICTOGRAPH_DATA_DIR: dataDir,
      PICTOGRAPH_UI: options.ui ? "true" : "false",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  while (!output.includes("[pictograph] ready on")) {
    if (child.exitCode !== null)
      throw new Error(`the server exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the server did not start in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = `http://127.0.0.1:${port}`;
  let apiKey = "";
  try {
    apiKey = readFileSync(join(dataDir, "admin-api-key"), "utf8").trim();
  } catch {
    // Not embedded (DATABASE_URL given): the caller provisions its own key.
  }
  return {
    url,
    apiKey,
    dataDir,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
