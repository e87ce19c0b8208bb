// Builds the CLI (dist/main.mjs, the file users run) and starts one real Pictograph server
// for every test file that talks to one (test/server.ts hands it out). The SDK's build must
// exist: turbo's `^build` makes it, or `pnpm --filter @pictograph/sdk build`.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startTestServer } from "@pictograph/test-server";
import type { TestProject } from "vitest/node";

export type ServerInfo = {
  url: string;
  apiKey: string;
  dataDir: string;
  /** A folder for the tests' own files (config folders), removed after the run. */
  scratchDir: string;
};

declare module "vitest" {
  export interface ProvidedContext {
    server: ServerInfo;
  }
}

const CLI_DIR = fileURLToPath(new URL("..", import.meta.url));
const SDK_BUILD = fileURLToPath(new URL("../../../packages/sdk/dist/index.mjs", import.meta.url));

export default async function setup(project: TestProject) {
  if (!existsSync(SDK_BUILD))
    throw new Error(
      "the SDK is not built: run `pnpm --filter @pictograph/sdk build` (turbo's test task does it)",
    );
  const [server] = await Promise.all([
    startTestServer(),
    promisify(execFile)("pnpm", ["run", "build"], { cwd: CLI_DIR }),
  ]);
  const scratchDir = mkdtempSync(join(tmpdir(), "pictograph-cli-tests-"));
  project.provide("server", {
    url: server.url,
    apiKey: server.apiKey,
    dataDir: server.dataDir,
    scratchDir,
  });
  return async () => {
    await server.stop();
    rmSync(scratchDir, { recursive: true, force: true });
  };
}
