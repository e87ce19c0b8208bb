// tRPC setup in three parts: (1) the context every procedure gets, (2) initTRPC with the
// error shape, (3) procedures by role. Routers live in ./routers, one file per resource.
import type { Role } from "@pictograph/schema";
import { initTRPC } from "@trpc/server";
import { ApiError, errorResponseBody } from "./errors";
import { refuseNulCharacters } from "./input-text";
import type { RestMeta } from "./rest";
import type { ApiServices } from "./services";

// (1) Context ---------------------------------------------------------------------------

/** Who is calling: resolved from an API key or a session before any procedure runs. */
export type Caller = {
  workspaceId: string;
  workspaceName: string;
  role: Role;
  userId: string | null;
  apiKeyId: string | null;
};

export type ApiContext = {
  services: ApiServices;
  caller: Caller | null;
  /** Why credentials that were sent were refused. */
  authError: string | null;
  requestId: string;
  /** Sent by the SDK on create so that a retried create cannot make two exports. */
  idempotencyKey: string | null;
  /** Origin the client used, for absolute URLs (signed downloads). */
  origin: string;
  /** Headers added to the response (session cookies). */
  responseHeaders: Headers;
  /** The raw session cookie, for sign-out and workspace switching. */
  sessionToken: string | null;
};

// (2) initTRPC --------------------------------------------------------------------------

const t = initTRPC
  .context<ApiContext>()
  .meta<RestMeta>()
  .create({
    // The tRPC wire keeps its own envelope; `data.body` is the same error body REST sends.
    errorFormatter({ shape, error }) {
      const { status, body } = errorResponseBody(error);
      // Never a stack trace on the wire: tRPC adds one whenever NODE_ENV is not "production".
      const { stack: _stack, ...data } = shape.data;
      return { ...shape, message: body.error.message, data: { ...data, httpStatus: status, body } };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

// (3) Procedures ------------------------------------------------------------------------

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2 };

// Every procedure, on every surface: text the database cannot store is a 422, not a 500.
const baseProcedure = t.procedure.use(async ({ getRawInput, next }) => {
  refuseNulCharacters(await getRawInput());
  return next();
});

export const publicProcedure = baseProcedure;

/** The caller, when it has at least the `minimum` role; otherwise a 401 or 403. */
export function requireRole(ctx: ApiContext, minimum: Role): Caller {
  const caller = ctx.caller;
  if (!caller)
    throw new ApiError(
      "unauthorized",
      ctx.authError ??
        "authentication required: send an API key as X-API-Key or Authorization: Bearer, or sign in",
    );
  if (RANK[caller.role] < RANK[minimum])
    throw new ApiError("forbidden", `this needs the ${minimum} role; your role is ${caller.role}`);
  return caller;
}

function roleProcedure(minimum: Role) {
  return baseProcedure.use(({ ctx, next }) =>
    next({ ctx: { ...ctx, caller: requireRole(ctx, minimum) } }),
  );
}

/** Read and download. */
export const viewerProcedure = roleProcedure("viewer");
/** Create datasets, upload, annotate, create exports and imports. */
export const memberProcedure = roleProcedure("member");
/** Delete, manage keys and members. */
export const adminProcedure = roleProcedure("admin");
