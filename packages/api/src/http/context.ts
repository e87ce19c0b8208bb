// Turns an HTTP request into the tRPC context: who is calling (API key or session cookie),
// the request id, the idempotency key and the origin. Used by REST, tRPC and file routes.
import { principalOfApiKey, principalOfSession } from "@pictograph/db";
import { randomUUID } from "node:crypto";
import { hashToken } from "../auth/secrets";
import type { ApiServices } from "../services";
import type { ApiContext, Caller } from "../trpc";

export const SESSION_COOKIE = "pictograph_session";

export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return null;
}

function presentedApiKey(request: Request): string | null {
  const header = request.headers.get("x-api-key")?.trim();
  if (header) return header;
  const authorization = request.headers.get("authorization")?.trim();
  const bearer = authorization && /^Bearer\s+(.+)$/i.exec(authorization);
  return bearer ? bearer[1]!.trim() : null;
}

export async function authenticate(
  services: ApiServices,
  request: Request,
): Promise<{ caller: Caller | null; authError: string | null }> {
  const now = services.now();
  const key = presentedApiKey(request);
  if (key) {
    const principal = await principalOfApiKey(services.db, { hash: hashToken(key), now });
    return principal
      ? { caller: principal, authError: null }
      : { caller: null, authError: "the API key is invalid or revoked" };
  }
  const session = readCookie(request, SESSION_COOKIE);
  if (session) {
    const principal = await principalOfSession(services.db, { tokenHash: hashToken(session), now });
    return principal
      ? { caller: principal, authError: null }
      : { caller: null, authError: "the session has expired; sign in again" };
  }
  return { caller: null, authError: null };
}

/** The origin the client used, honouring a reverse proxy's X-Forwarded-* headers. */
export function requestOrigin(request: Request): string {
  const url = new URL(request.url);
  const proto =
    request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() ||
    url.protocol.replace(":", "");
  const host =
    request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() ||
    request.headers.get("host") ||
    url.host;
  return `${proto}://${host}`;
}

export async function createApiContext(
  services: ApiServices,
  request: Request,
  responseHeaders?: Headers,
): Promise<ApiContext> {
  const { caller, authError } = await authenticate(services, request);
  return {
    services,
    caller,
    authError,
    requestId: request.headers.get("x-request-id")?.slice(0, 100) || randomUUID(),
    idempotencyKey: request.headers.get("idempotency-key")?.slice(0, 200) || null,
    origin: requestOrigin(request),
    responseHeaders: responseHeaders ?? new Headers(),
    sessionToken: readCookie(request, SESSION_COOKIE),
  };
}
