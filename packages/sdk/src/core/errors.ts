// Every error the SDK throws, and the one factory that picks an HTTP error's class from its
// status (openai-node's APIError.generate). Callers switch on classes, never on messages.
import type { Export } from "../resources/exports";
import type { Import } from "../resources/imports";

/** The API's error body: `{ "error": { "code", "message", "details"? } }`. */
export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

/** One field the server refused, e.g. `{ path: "format", message: "format must be one of: …" }`. */
export type Issue = { path: string; message: string };

/** The base class: everything the SDK throws on purpose is one of these. */
export class PictographError extends Error {
  override name = "PictographError";
}

/** The server answered with an error status. */
export class APIError extends PictographError {
  override name = "APIError";
  /** The HTTP status. */
  readonly status: number;
  /** The server's `x-request-id`: quote it when reporting a problem. */
  readonly requestId: string | null;
  /** The parsed error body, or the raw text when it was not JSON. */
  readonly body: unknown;
  /** `error.code` of the body (`not_found`, `conflict`, `validation_error`…), when there is one. */
  readonly code: string | null;
  /** `error.details` of the body, when there is one. */
  readonly details: unknown;
  readonly headers: Headers;

  constructor(status: number, body: unknown, headers: Headers) {
    const error = isErrorBody(body) ? body.error : null;
    super(
      error?.message ??
        `the server answered ${status}${typeof body === "string" && body ? `: ${body.slice(0, 200)}` : ""}`,
    );
    this.status = status;
    this.body = body;
    this.headers = headers;
    this.requestId = headers.get("x-request-id");
    this.code = error?.code ?? null;
    this.details = error?.details;
  }

  /** The subclass for `status`: the only place a status becomes a class. */
  static generate(status: number, body: unknown, headers: Headers): APIError {
    if (status === 400) return new BadRequestError(status, body, headers);
    if (status === 401) return new AuthenticationError(status, body, headers);
    if (status === 403) return new PermissionDeniedError(status, body, headers);
    if (status === 404) return new NotFoundError(status, body, headers);
    if (status === 409) return new ConflictError(status, body, headers);
    if (status === 422) return new ValidationError(status, body, headers);
    if (status === 429) return new RateLimitError(status, body, headers);
    if (status >= 500) return new InternalServerError(status, body, headers);
    return new APIError(status, body, headers);
  }
}

/** 400: the request was malformed (not JSON, for example). */
export class BadRequestError extends APIError {
  override name = "BadRequestError";
}
/** 401: no API key, or one that is invalid or revoked. */
export class AuthenticationError extends APIError {
  override name = "AuthenticationError";
}
/** 403: the key's role may not do this (deleting needs admin). */
export class PermissionDeniedError extends APIError {
  override name = "PermissionDeniedError";
}
/** 404: the dataset, export, image or import does not exist in the key's workspace. */
export class NotFoundError extends APIError {
  override name = "NotFoundError";
}
/** 409: the name is taken, or the thing is not in a state that allows this. Never retried. */
export class ConflictError extends APIError {
  override name = "ConflictError";
}
/** 422: an input was refused (unknown format, status filter or class); `issues` says which. */
export class ValidationError extends APIError {
  override name = "ValidationError";
  readonly issues: Issue[];

  constructor(status: number, body: unknown, headers: Headers) {
    super(status, body, headers);
    const issues = (this.details as { issues?: unknown } | undefined)?.issues;
    this.issues = Array.isArray(issues) ? (issues as Issue[]) : [];
  }
}
/** 429: too many requests; retried after `Retry-After` before this is thrown. */
export class RateLimitError extends APIError {
  override name = "RateLimitError";
}
/** 5xx: the server failed; retried before this is thrown. */
export class InternalServerError extends APIError {
  override name = "InternalServerError";
}

/** The server could not be reached, or the connection broke before the answer was complete. */
export class APIConnectionError extends PictographError {
  override name = "APIConnectionError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No answer within the client's `timeout`. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = "APIConnectionTimeoutError";
}

/** A wait ran out of time (`timeout` seconds). The export or import keeps building on the
 * server: wait again, or `get` it later. */
export class PollTimeoutError extends PictographError {
  override name = "PollTimeoutError";
  /** As in the API's error codes: 408 means "timed out". */
  readonly status = 408;
  /** The export as last seen (null when an import was awaited). */
  readonly export: Export | null;
  /** The import as last seen (null when an export was awaited). */
  readonly import: Import | null;
  readonly waitedSeconds: number;

  constructor(
    message: string,
    awaited: { export?: Export; import?: Import },
    waitedSeconds: number,
  ) {
    super(message);
    this.export = awaited.export ?? null;
    this.import = awaited.import ?? null;
    this.waitedSeconds = waitedSeconds;
  }
}

/** A wait ended with the export `failed`: there is no ZIP. `export.error_message` says why. */
export class ExportFailedError extends PictographError {
  override name = "ExportFailedError";
  readonly export: Export;

  constructor(failed: Export) {
    super(
      `export "${failed.name}" of dataset "${failed.dataset_name}" failed: ${failed.error_message ?? "no reason given"}`,
    );
    this.export = failed;
  }
}

/** A wait ended with the import `failed`. `import.error_message` says why. */
export class ImportFailedError extends PictographError {
  override name = "ImportFailedError";
  readonly import: Import;

  constructor(failed: Import) {
    super(
      `import ${failed.id} into dataset "${failed.dataset_name}" failed: ${failed.error_message ?? "no reason given"}`,
    );
    this.import = failed;
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  const error = (body as ErrorBody | null)?.error;
  return typeof error === "object" && error !== null && typeof error.message === "string";
}
