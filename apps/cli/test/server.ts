// Test support: the suite's running server (test/global-setup.ts) and the environment that
// points the built CLI at it, with a config directory of the test's own.
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";

export function testServer() {
  return inject("server");
}

/** PICTOGRAPH_URL and PICTOGRAPH_API_KEY of the test server, and an empty config folder. */
export function serverEnv(): Record<string, string> {
  const server = testServer();
  return {
    PICTOGRAPH_URL: server.url,
    PICTOGRAPH_API_KEY: server.apiKey,
    XDG_CONFIG_HOME: scratchFolder("config-"),
  };
}

/** A name no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** A new empty folder, removed with the others after the run. */
export function scratchFolder(prefix: string): string {
  return mkdtempSync(join(testServer().scratchDir, prefix));
}
