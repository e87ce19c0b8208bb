// The browser's only way to the API: a tRPC client on /api/trpc (the same procedures as REST)
// and the error body every failure carries. Type-only import of the router, so no server
// code ever enters the browser bundle.
import type { AppRouter } from "@pictograph/api";
import type { ErrorCode } from "@pictograph/schema";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";

export const api = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      url: "/api/trpc",
      // The grid asks for every visible image's annotations at once: keep GET URLs short.
      maxURLLength: 4000,
      fetch: (url, init) => fetch(url, { ...init, credentials: "same-origin" }),
    }),
  ],
});

/** What went wrong, in the words the API used (the same body REST sends). */
export type ApiFailure = {
  code: ErrorCode | "network_error";
  status: number;
  message: string;
  details?: unknown;
};

type ErrorData = {
  httpStatus?: number;
  body?: { error?: { code: ErrorCode; message: string; details?: unknown } };
};

export function describeFailure(error: unknown): ApiFailure {
  if (error instanceof TRPCClientError) {
    const data = error.data as ErrorData | undefined;
    const body = data?.body?.error;
    if (body)
      return {
        code: body.code,
        status: data?.httpStatus ?? 500,
        message: body.message,
        details: body.details,
      };
    return {
      code: "network_error",
      status: 0,
      message: "cannot reach the server; check your connection and try again",
    };
  }
  return {
    code: "internal_error",
    status: 500,
    message: error instanceof Error ? error.message : String(error),
  };
}

/** The `{ error }` body of a byte route (uploads), or a network failure. */
export function describeResponseFailure(status: number, text: string): ApiFailure {
  try {
    const body = JSON.parse(text) as {
      error?: { code: ErrorCode; message: string; details?: unknown };
    };
    if (body.error) return { status, ...body.error };
  } catch {
    // not JSON: a proxy page or a dropped connection
  }
  return {
    code: "internal_error",
    status,
    message: `the server answered ${status || "nothing"}; try again`,
  };
}
