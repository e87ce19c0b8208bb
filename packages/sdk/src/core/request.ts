// HTTP for every resource: URLs, credentials, the per-request timeout, retries and error
// classes. Retries 408, 429, 5xx and lost connections with jittered exponential backoff or
// the server's Retry-After; never 409 or other 4xx, never a body it cannot send again, and
// never a connection lost during a POST that carries no idempotency key (it may have landed).
import { APIConnectionError, APIConnectionTimeoutError, APIError, PictographError } from "./errors";
import { sleep } from "./sleep";

/** Per-call overrides, the last argument of every method. */
export type RequestOptions = {
  /** Seconds to wait for the server's answer (for downloads: until the bytes start). */
  timeout?: number;
  /** Retries after the first attempt. */
  maxRetries?: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** `Idempotency-Key` of a create that takes one (exports): the same on every retry.
   * Default: a new random key per call. */
  idempotencyKey?: string;
};

/** What fetch accepts as a body (the DOM's BodyInit, which Node's types do not declare globally). */
export type BodyInit = NonNullable<RequestInit["body"]>;

export type Query = Record<string, string | number | boolean | null | undefined>;

/** A JSON body, or bytes. Bytes come from a function so that a retry can send them again;
 * `replayable: false` marks a one-shot stream, which is never retried. */
export type RequestBody =
  | { json: unknown }
  | { bytes: () => Promise<BodyInit> | BodyInit; replayable: boolean; contentType: string };

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type HttpRequest = {
  method: HttpMethod;
  /** Under `/api/v1`, its segments already encoded (see `encodePath`). */
  path: string;
  query?: Query;
  body?: RequestBody;
  /** Sent as `Idempotency-Key`; the same on every retry of this request. */
  idempotencyKey?: string;
};

export type TransportConfig = {
  /** The server's origin, without `/api/v1`. */
  baseUrl: string;
  apiKey: string;
  /** Seconds. */
  timeout: number;
  maxRetries: number;
  fetch: typeof fetch;
};

const API_PATH = "/api/v1";
const RETRY_STATUSES = new Set([408, 429]);
const INITIAL_DELAY = 0.5;
const MAX_DELAY = 8;
/** A Retry-After beyond this is not waited for; the usual backoff applies instead. */
const MAX_RETRY_AFTER = 60;

export class Transport {
  constructor(readonly config: TransportConfig) {}

  /** The answer's JSON (undefined for 204). Throws an APIError subclass on error statuses. */
  async json<T>(request: HttpRequest, options: RequestOptions = {}): Promise<T> {
    return this.run(this.url(request), request, options, true, async (response) => {
      if (response.status === 204) return undefined as T;
      const text = await response.text();
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new PictographError(
          `the server answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
        );
      }
    });
  }

  /** A successful response whose body is not read yet (downloads). */
  async stream(request: HttpRequest, options: RequestOptions = {}): Promise<Response> {
    return this.run(this.url(request), request, options, true, async (response) => response);
  }

  /** GET of an absolute URL the API handed out (a signed download URL): no credentials, as
   * it may point at another host (S3), with the same timeout and retries. */
  async streamUrl(url: string, options: RequestOptions = {}): Promise<Response> {
    return this.run(url, { method: "GET", path: "" }, options, false, async (response) => response);
  }

  url(request: Pick<HttpRequest, "path" | "query">): string {
    const url = new URL(`${this.config.baseUrl}${API_PATH}${request.path}`);
    for (const [key, value] of Object.entries(request.query ?? {}))
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    return url.toString();
  }

  private async run<T>(
    url: string,
    request: HttpRequest,
    options: RequestOptions,
    withCredentials: boolean,
    read: (response: Response) => Promise<T>,
  ): Promise<T> {
    const maxRetries = options.maxRetries ?? this.config.maxRetries;
    const timeout = options.timeout ?? this.config.timeout;
    const replayable = !request.body || !("bytes" in request.body) || request.body.replayable;
    for (let attempt = 0; ; attempt++) {
      const canRetry = replayable && attempt < maxRetries;
      // Outside the try: a file that cannot be read is the caller's error, not the network's.
      const body = await this.body(request.body);
      const timer = new AbortController();
      const timeoutId = setTimeout(() => timer.abort(), timeout * 1000);
      const signal = options.signal
        ? AbortSignal.any([options.signal, timer.signal])
        : timer.signal;
      let wait: number;
      try {
        const response = await this.config.fetch(url, {
          method: request.method,
          headers: this.headers(request, options, withCredentials),
          body,
          signal,
          // Node's fetch needs this to send a stream.
          ...(request.body && "bytes" in request.body ? { duplex: "half" } : {}),
        } as RequestInit);
        if (response.ok) return await read(response);
        const error = APIError.generate(
          response.status,
          await readBody(response),
          response.headers,
        );
        if (!canRetry || !(RETRY_STATUSES.has(response.status) || response.status >= 500))
          throw error;
        wait = retryAfterSeconds(response.headers) ?? backoffSeconds(attempt);
      } catch (error) {
        if (error instanceof PictographError) throw error;
        if (options.signal?.aborted) throw options.signal.reason ?? error;
        // No answer, or it broke off: the request may or may not have been done.
        const failure = timer.signal.aborted
          ? new APIConnectionTimeoutError(
              `no complete answer from ${originOf(url)} within ${timeout} s`,
              {
                cause: error,
              },
            )
          : new APIConnectionError(`cannot reach ${originOf(url)}: ${describeCause(error)}`, {
              cause: error,
            });
        if (!canRetry || !this.mayResend(request)) throw failure;
        wait = backoffSeconds(attempt);
      } finally {
        clearTimeout(timeoutId);
      }
      await sleep(wait, options.signal);
    }
  }

  /** Whether a request whose answer was lost may be sent again without doing it twice. */
  private mayResend(request: HttpRequest): boolean {
    return request.method !== "POST" || request.idempotencyKey !== undefined;
  }

  private headers(request: HttpRequest, options: RequestOptions, withCredentials: boolean) {
    const headers: Record<string, string> = { accept: "application/json" };
    if (withCredentials) headers["x-api-key"] = this.config.apiKey;
    if (request.body)
      headers["content-type"] =
        "json" in request.body ? "application/json" : request.body.contentType;
    if (request.idempotencyKey) headers["idempotency-key"] = request.idempotencyKey;
    return { ...headers, ...options.headers };
  }

  private async body(body: RequestBody | undefined): Promise<BodyInit | undefined> {
    if (!body) return undefined;
    if ("json" in body) return JSON.stringify(body.json);
    return body.bytes();
  }
}

/** `a b/c.png` → `a%20b/c.png`: each segment encoded, the slashes kept. */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** Jittered exponential backoff: 0.5 s, 1 s, 2 s… up to 8 s, each less up to a quarter. */
export function backoffSeconds(attempt: number): number {
  return Math.min(INITIAL_DELAY * 2 ** attempt, MAX_DELAY) * (1 - Math.random() * 0.25);
}

/** `Retry-After-Ms`, or `Retry-After` as seconds or an HTTP date; null when absent or
 * beyond a minute. */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | null {
  const ms = Number(headers.get("retry-after-ms") ?? NaN);
  let seconds = Number.isFinite(ms) ? ms / 1000 : NaN;
  const header = headers.get("retry-after");
  if (Number.isNaN(seconds) && header) {
    seconds = /^\s*\d+(\.\d+)?\s*$/.test(header)
      ? Number(header)
      : (Date.parse(header) - now) / 1000;
  }
  if (Number.isNaN(seconds)) return null;
  return seconds >= 0 && seconds <= MAX_RETRY_AFTER ? seconds : seconds < 0 ? 0 : null;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => "");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** Node's fetch says "fetch failed"; the reason (ECONNREFUSED…) is in `cause`. */
function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}
