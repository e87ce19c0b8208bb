// Test support: the suite's running server (started once by test/global-setup.ts) and
// clients for it.
import { inject } from "vitest";
import { Client, type ClientOptions } from "../src/index";

export function testServer() {
  return inject("server");
}

/** A client of the test server with the admin key, with short waits for quick tests. */
export function testClient(options: ClientOptions = {}): Client {
  const server = testServer();
  return new Client({ baseUrl: server.url, apiKey: server.apiKey, ...options });
}

/** A name no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
