// Bridges Node's HTTP server and the fetch-style API handler. Written by hand rather than
// left to Next's route handlers because a download must keep its Content-Length and, when it
// is cut off (its export deleted), must end with a broken connection, never a clean end
// that a client would take for a complete file.
import type { ErrorBody } from "@pictograph/schema";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable, type Duplex } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

export function toWebRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    // @ts-expect-error -- Node's fetch needs duplex for a streamed request body.
    duplex: "half",
  });
}

export async function sendWebResponse(
  response: Response,
  res: ServerResponse,
  method: string,
): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name === "set-cookie") return;
    res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader("set-cookie", cookies);
  if (!response.body || method === "HEAD") {
    res.end();
    return;
  }
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  res.on("close", () => body.destroy());
  try {
    for await (const chunk of body) {
      if (!res.write(chunk))
        await new Promise<void>((resolve) => res.once("drain", resolve).once("close", resolve));
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    // The body failed part-way: break the connection so the client sees an incomplete transfer.
    res.destroy();
  }
}

/**
 * What a request Node's parser refuses before any handler runs (request line and headers over
 * its 16 KB limit, malformed HTTP) gets: a 400 in the one error body, where Node would send a
 * bare 431 or 400. A socket already answering, or gone, is just closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
    ?.headersSent;
  if (error.code === "ECONNRESET" || !socket.writable || answering) {
    socket.destroy();
    return;
  }
  const message =
    error.code === "HPE_HEADER_OVERFLOW"
      ? "the URL and headers are too large (over 16 KB): send long values in the request body"
      : "the request is not valid HTTP";
  const body = JSON.stringify({ error: { code: "bad_request", message } } satisfies ErrorBody);
  // An answer to HEAD has headers only: a body would be read as the start of another response.
  const head =
    (error as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString("latin1") === "HEAD ";
  socket.end(
    "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\n" +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${head ? "" : body}`,
  );
}
