// The REST facade at /api/v1: generated from the tRPC procedures' `meta.rest`, so REST, the
// SDK and the web UI run the same procedure with the same validation. Transport only: no
// business rules live here.
import type { AnyRouter } from "@trpc/server";
import { z } from "zod";
import { errorResponseBody, fail, isInternal } from "./errors";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type RestMeta = {
  rest?: {
    method: HttpMethod;
    /** `/datasets/{dataset}/exports/{name}`; `{path+}` takes the rest of the URL, slashes included. */
    path: string;
    /** Success status; default 200. */
    status?: number;
    summary: string;
    tag: string;
  };
};

type AnyProcedure = {
  _def: { type: string; meta?: RestMeta; inputs: z.ZodType[]; output?: z.ZodType };
};

export type RestRoute = {
  procedure: string;
  method: HttpMethod;
  path: string;
  status: number;
  summary: string;
  tag: string;
  input: z.ZodType | null;
  output: z.ZodType | null;
  pattern: RegExp;
  params: string[];
};

export function restRoutes(router: AnyRouter): RestRoute[] {
  const procedures = router._def.procedures as Record<string, AnyProcedure>;
  return Object.entries(procedures).flatMap(([name, procedure]) => {
    const rest = procedure._def.meta?.rest;
    if (!rest) return [];
    const params: string[] = [];
    const pattern = new RegExp(
      "^" +
        rest.path.replace(/\{(\w+)(\+?)\}/g, (_, param: string, greedy: string) => {
          params.push(param);
          return greedy ? "(.+)" : "([^/]+)";
        }) +
        "$",
    );
    return [
      {
        procedure: name,
        method: rest.method,
        path: rest.path,
        status: rest.status ?? 200,
        summary: rest.summary,
        tag: rest.tag,
        input: procedure._def.inputs[0] ?? null,
        output: procedure._def.output ?? null,
        pattern,
        params,
      },
    ];
  });
}

export function matchRoute(routes: RestRoute[], method: string, path: string) {
  let pathMatched = false;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    route.params.forEach((name, i) => {
      params[name] = decodePathParam(match[i + 1]!);
    });
    return { route, params, pathMatched };
  }
  return { route: null, params: {}, pathMatched };
}

/** A path segment as sent; a malformed escape (`%E0%A4%A`) is the client's mistake, a 400. */
export function decodePathParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return fail("bad_request", `the URL path is not valid percent-encoding: ${raw.slice(0, 200)}`);
  }
}

const MAX_JSON_BODY = 64 * 1024 * 1024;

/** Builds a procedure's input from path parameters, the query string and the JSON body. */
export async function restInput(
  route: RestRoute,
  request: Request,
  params: Record<string, string>,
) {
  const url = new URL(request.url);
  const fromQuery = coerceQuery(route.input, url.searchParams);
  let body: Record<string, unknown> = {};
  if (route.method !== "GET" && route.method !== "DELETE") {
    const length = Number(request.headers.get("content-length") ?? 0);
    if (length > MAX_JSON_BODY)
      fail("payload_too_large", `request body must be at most ${MAX_JSON_BODY} bytes`);
    const text = await request.text();
    if (text.trim()) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        fail("bad_request", "request body must be valid JSON");
      }
      if (typeof body !== "object" || body === null || Array.isArray(body))
        fail("bad_request", "request body must be a JSON object");
    }
  }
  return { ...fromQuery, ...body, ...params };
}

/** Query strings are text: turn them into the types the input schema declares. */
function coerceQuery(input: z.ZodType | null, query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ([...query.keys()].length === 0) return out;
  const properties = input ? jsonSchemaProperties(input) : {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    const type = properties[key];
    if (type === "array") out[key] = values.flatMap((v) => v.split(",")).filter(Boolean);
    else if (type === "integer" || type === "number")
      out[key] = values[0] === "" ? undefined : Number(values[0]);
    else if (type === "boolean")
      out[key] = values[0] === "true" ? true : values[0] === "false" ? false : values[0];
    else out[key] = values[0];
  }
  return out;
}

const propertyCache = new WeakMap<z.ZodType, Record<string, string>>();

function jsonSchemaProperties(schema: z.ZodType): Record<string, string> {
  const cached = propertyCache.get(schema);
  if (cached) return cached;
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, { type?: string; anyOf?: { type?: string }[] }>;
  };
  const types: Record<string, string> = {};
  for (const [key, prop] of Object.entries(json.properties ?? {})) {
    const type = prop.type ?? prop.anyOf?.map((p) => p.type).find((t) => t && t !== "null");
    if (type) types[key] = type;
  }
  propertyCache.set(schema, types);
  return types;
}

export type RestHandlerOptions<Ctx> = {
  router: AnyRouter;
  basePath: string;
  createContext(request: Request): Promise<Ctx>;
  onInternalError?(error: unknown, request: Request): void;
};

/** Answers one REST request, or returns null when no route matches the path at all. */
export function createRestHandler<Ctx extends { requestId: string }>(
  options: RestHandlerOptions<Ctx>,
) {
  const routes = restRoutes(options.router);
  const createCaller = (options.router as AnyRouter & { createCaller(ctx: Ctx): unknown })
    .createCaller;
  return async function handle(request: Request): Promise<Response | null> {
    const url = new URL(request.url);
    const path = url.pathname.slice(options.basePath.length) || "/";
    let matched: ReturnType<typeof matchRoute>;
    try {
      matched = matchRoute(routes, request.method, path);
    } catch (error) {
      const { status, body } = errorResponseBody(error);
      return jsonResponse(status, body);
    }
    const { route, params, pathMatched } = matched;
    if (!route) {
      if (!pathMatched) return null;
      return jsonResponse(405, {
        error: {
          code: "method_not_allowed",
          message: `${request.method} is not allowed on ${path}`,
        },
      });
    }
    let requestId = "";
    try {
      const ctx = await options.createContext(request);
      requestId = ctx.requestId;
      const input = await restInput(route, request, params);
      const caller = createCaller(ctx) as Record<string, unknown>;
      const procedure = route.procedure
        .split(".")
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
      const result = await (procedure as (input: unknown) => Promise<unknown>)(input);
      if (route.status === 204)
        return new Response(null, { status: 204, headers: { "x-request-id": requestId } });
      return jsonResponse(route.status, result, requestId);
    } catch (error) {
      if (isInternal(error)) options.onInternalError?.(error, request);
      const { status, body } = errorResponseBody(error);
      return jsonResponse(status, body, requestId);
    }
  };
}

export function jsonResponse(status: number, body: unknown, requestId = ""): Response {
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  if (requestId) headers["x-request-id"] = requestId;
  return new Response(JSON.stringify(body), { status, headers });
}
