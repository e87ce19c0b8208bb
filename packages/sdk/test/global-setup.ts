// Starts one real Pictograph server (embedded mode, fresh data directory, with the `demo`
// dataset) for the whole SDK suite, and hands its address to the tests (test/server.ts).
import { startTestServer } from "@pictograph/test-server";
import type { TestProject } from "vitest/node";

export type ServerInfo = { url: string; apiKey: string; dataDir: string };

declare module "vitest" {
  export interface ProvidedContext {
    server: ServerInfo;
  }
}

export default async function setup(project: TestProject) {
  const server = await startTestServer();
  project.provide("server", { url: server.url, apiKey: server.apiKey, dataDir: server.dataDir });
  return () => server.stop();
}
