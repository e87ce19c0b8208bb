// One way to fail, whatever the surface: an ErrorCode from @pictograph/schema carried by a
// TRPCError, turned into `{ error: { code, message, details } }` by every transport.
import { ERROR_CODES, describeZodError, type ErrorBody, type ErrorCode } from "@pictograph/schema";
import {
  DbConflictError,
  DbReferenceError,
  isDatabaseUnavailable,
  postgresErrorOf,
} from "@pictograph/db";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";

const TRPC_CODES: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  bad_request: "BAD_REQUEST",
  unauthorized: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  not_found: "NOT_FOUND",
  method_not_allowed: "METHOD_NOT_SUPPORTED",
  timeout: "TIMEOUT",
  conflict: "CONFLICT",
  gone: "NOT_FOUND",
  payload_too_large: "PAYLOAD_TOO_LARGE",
  unsupported_media_type: "UNSUPPORTED_MEDIA_TYPE",
  // tRPC has no 416; only byte routes answer it, and never through tRPC.
  range_not_satisfiable: "BAD_REQUEST",
  validation_error: "UNPROCESSABLE_CONTENT",
  rate_limited: "TOO_MANY_REQUESTS",
  internal_error: "INTERNAL_SERVER_ERROR",
  unavailable: "SERVICE_UNAVAILABLE",
};

export class ApiError extends TRPCError {
  constructor(
    readonly errorCode: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super({ code: TRPC_CODES[errorCode], message });
  }
}

export const fail = (code: ErrorCode, message: string, details?: unknown): never => {
  throw new ApiError(code, message, details);
};

export const notFound = (what: string): never => fail("not_found", `${what} not found`);

/** The error body and HTTP status for anything a procedure threw. */
export function errorResponseBody(error: unknown): { status: number; body: ErrorBody } {
  const resolved = resolveError(error);
  return {
    status: ERROR_CODES[resolved.code],
    body: {
      error: {
        code: resolved.code,
        message: resolved.message,
        ...(resolved.details === undefined ? {} : { details: resolved.details }),
      },
    },
  };
}

type Resolved = { code: ErrorCode; message: string; details?: unknown };

function resolveError(error: unknown): Resolved {
  if (error instanceof ApiError)
    return { code: error.errorCode, message: error.message, details: error.details };
  const cause = error instanceof TRPCError ? error.cause : error;
  if (cause instanceof ApiError) return resolveError(cause);
  if (cause instanceof DbConflictError) return { code: "conflict", message: cause.message };
  if (cause instanceof DbReferenceError)
    return {
      code: "validation_error",
      message: cause.message,
      // Wire objects are snake_case, details too.
      details: { image_paths: cause.missing.imagePaths, class_names: cause.missing.classNames },
    };
  // tRPC reports a response that fails its .output() schema as INTERNAL_SERVER_ERROR caused
  // by a ZodError: that is the server's fault, never a 422 about the caller's input.
  const serverFault = error instanceof TRPCError && error.code === "INTERNAL_SERVER_ERROR";
  if (cause instanceof ZodError && !serverFault) {
    const { message, issues } = describeZodError(cause);
    return { code: "validation_error", message, details: { issues } };
  }
  const storage = unstorableValue(cause);
  if (storage)
    return {
      code: "validation_error",
      message: `a value in the request cannot be stored: ${storage}`,
    };
  // A database restart or outage is not the caller's fault and usually passes: say so, and
  // let clients retry (the SDK retries a 503).
  if (isDatabaseUnavailable(cause))
    return {
      code: "unavailable",
      message: "the database is unavailable right now; try again in a few seconds",
    };
  if (error instanceof TRPCError) {
    const code = (Object.keys(TRPC_CODES) as ErrorCode[]).find((c) => TRPC_CODES[c] === error.code);
    if (code && code !== "internal_error") return { code, message: error.message };
  }
  return {
    code: "internal_error",
    message: "internal error: the server could not complete the request",
  };
}

/**
 * PostgreSQL refusing a value itself (SQLSTATE class 22, or an index row past its size
 * limit) means the input passed our checks but cannot be stored: the caller's value, so a
 * 422, not a 500. A safety net behind the schema's rules, which name the field.
 */
function unstorableValue(error: unknown): string | null {
  const pg = postgresErrorOf(error);
  if (!pg) return null;
  if (pg.code === "54000")
    return "a text value (such as an image path) is too long, in bytes, to be indexed";
  if (pg.code === "22003") return "a number is out of range";
  if (pg.code === "22001") return "a text value is too long";
  if (pg.code === "22P05" || pg.code === "22021")
    return "text contains characters that cannot be stored";
  if (pg.code.startsWith("22")) return "a value has the wrong form";
  return null;
}

export function isInternal(error: unknown): boolean {
  return resolveError(error).code === "internal_error";
}
