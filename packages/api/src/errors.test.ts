// The one error body, from whatever a procedure threw: the status a client sees must blame
// the right party (a 422 names the caller's field; a server bug is a 500, never a 422).
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError, errorResponseBody } from "./errors";

const zodError = () =>
  z
    .object({ width: z.int().max(10, { error: "width must be at most 10" }) })
    .safeParse({ width: 11 }).error!;

describe("errorResponseBody", () => {
  it("turns the caller's invalid input into a 422 naming the field and the rule", () => {
    const { status, body } = errorResponseBody(
      new TRPCError({ code: "BAD_REQUEST", cause: zodError() }),
    );
    expect(status).toBe(422);
    expect(body.error).toEqual({
      code: "validation_error",
      message: "width must be at most 10",
      details: { issues: [{ path: "width", message: "width must be at most 10" }] },
    });
  });

  it("answers a response that fails its own output schema with a 500 that reveals nothing", () => {
    const failed = new TRPCError({
      code: "INTERNAL_SERVER_ERROR",
      message: "Output validation failed",
      cause: zodError(),
    });
    expect(errorResponseBody(failed)).toEqual({
      status: 500,
      body: {
        error: {
          code: "internal_error",
          message: "internal error: the server could not complete the request",
        },
      },
    });
  });

  it("keeps an ApiError's code, message and details, also when tRPC wraps it", () => {
    const error = new ApiError("conflict", 'export "x" already exists', { name: "x" });
    const expected = {
      status: 409,
      body: {
        error: { code: "conflict", message: 'export "x" already exists', details: { name: "x" } },
      },
    };
    expect(errorResponseBody(error)).toEqual(expected);
    expect(
      errorResponseBody(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error })),
    ).toEqual(expected);
  });

  it("never shows an unexpected error's message", () => {
    const { status, body } = errorResponseBody(
      new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2"),
    );
    expect(status).toBe(500);
    expect(body.error.message).not.toContain("hunter2");
  });
});
