// Test support: a real HTTP proxy in front of the test server that breaks chosen requests
// the way networks and overloaded servers do — an error status with Retry-After, a
// dropped connection before or after the server did the work, a slow answer — and
// forwards everything else untouched. It records every request it saw.
import {
  createServer,
  request as forward,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  /** Answer this status (and headers) without forwarding. */
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Close the connection without answering, before forwarding. */
  | { drop: "before" }
  /** Forward, let the server finish, then close the connection instead of answering. */
  | { drop: "after" }
  /** Forward, and hold the answer back this many seconds. */
  | { delay: number };

export type SeenRequest = { method: string; path: string; headers: IncomingMessage["headers"] };

export type FaultProxy = {
  url: string;
  seen: SeenRequest[];
  /** The next requests matching `match` get these faults, one each, in order. */
  inject(match: (request: SeenRequest) => boolean, ...faults: Fault[]): void;
  close(): Promise<void>;
};

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const seen: SeenRequest[] = [];
  const rules: { match: (request: SeenRequest) => boolean; faults: Fault[] }[] = [];

  const server = createServer((req, res) => {
    const request = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers };
    seen.push(request);
    const rule = rules.find((r) => r.faults.length > 0 && r.match(request));
    const fault = rule?.faults.shift();
    if (fault && "status" in fault) {
      req.resume();
      res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
      res.end(
        JSON.stringify(
          fault.body ?? { error: { code: "unavailable", message: "injected failure" } },
        ),
      );
      return;
    }
    if (fault && "drop" in fault && fault.drop === "before") {
      req.socket.destroy();
      return;
    }
    proxy(req, res, upstream, fault);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    inject: (match, ...faults) => rules.push({ match, faults }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function proxy(req: IncomingMessage, res: ServerResponse, upstream: URL, fault: Fault | undefined) {
  const out = forward(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream.host },
    },
    (answer) => {
      if (fault && "drop" in fault) {
        // The server did the work; the client never hears of it.
        answer.resume();
        answer.on("end", () => req.socket.destroy());
        return;
      }
      const send = () => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      };
      if (fault && "delay" in fault) setTimeout(send, fault.delay * 1000);
      else send();
    },
  );
  out.on("error", () => res.destroy());
  req.pipe(out);
}
