// Sends one HTTP request exactly as given: the path is not normalised (`..`, `%2e%2e` and
// malformed escapes reach the server as written, which fetch would clean up first), any
// header and any body bytes. For tests that feed the server hostile requests.
import { Agent, request } from "node:http";

export type RawRequest = {
  method: string;
  /** Sent as written after the origin; characters outside Latin-1 must be percent-encoded. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
};

export type RawResponse = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, cut at `maxBodyBytes` (a download's bytes are counted, not kept). */
  body: Buffer;
  bodyBytes: number;
};

// One connection per request: a kept-alive socket the server closes just as a request goes
// out is reset, which would read as the server failing.
const agent = new Agent({ keepAlive: false, maxSockets: 4 });

export function sendRaw(
  origin: string,
  raw: RawRequest,
  { maxBodyBytes = 1024 * 1024, timeoutMs = 60_000 } = {},
): Promise<RawResponse> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: raw.method,
        path: raw.path,
        headers: {
          ...(raw.body === undefined ? {} : { "content-length": Buffer.byteLength(raw.body) }),
          ...raw.headers,
        },
        timeout: timeoutMs,
      },
      (res) => {
        const kept: Buffer[] = [];
        let keptBytes = 0;
        let bodyBytes = 0;
        res.on("data", (chunk: Buffer) => {
          bodyBytes += chunk.length;
          if (keptBytes < maxBodyBytes) {
            kept.push(chunk);
            keptBytes += chunk.length;
          }
        });
        res.on("error", reject);
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(kept),
            bodyBytes,
          }),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(raw.body);
  });
}

/** Closes any connection still open, so the test process can exit. */
export function closeRawConnections(): void {
  agent.destroy();
}
