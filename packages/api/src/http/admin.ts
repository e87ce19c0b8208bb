// POST /api/v1/admin: instance administration (`pnpm admin`) through the running server, for
// embedded mode where the server holds the database. The credential is the instance secret
// (PICTOGRAPH_SECRET, or the data directory's `secret` file): whoever can read it owns the
// instance. Not part of the public API or the OpenAPI document.
import { timingSafeEqual } from "node:crypto";
import { runAdminCommand } from "../admin";
import { fail } from "../errors";
import type { ApiContext } from "../trpc";

export async function runAdminRequest(ctx: ApiContext, request: Request): Promise<Response> {
  const presented =
    /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1]?.trim() ?? "";
  const expected = Buffer.from(ctx.services.secret);
  const given = Buffer.from(presented);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    fail("unauthorized", "admin requests need the instance secret as Authorization: Bearer");
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    fail("bad_request", "request body must be valid JSON");
  }
  return Response.json(await runAdminCommand(ctx.services.db, body as never));
}
