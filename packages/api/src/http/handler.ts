// The one HTTP entry point of the API, mounted by the web app at /api/v1 (REST, OpenAPI,
// file routes) and /api/trpc (the web UI). Every error leaves as the one error body.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { errorResponseBody, isInternal } from "../errors";
import { buildOpenApiDocument } from "../openapi";
import { createRestHandler, decodePathParam, jsonResponse } from "../rest";
import { appRouter } from "../root";
import type { ApiServices } from "../services";
import type { ApiContext } from "../trpc";
import { runAdminRequest } from "./admin";
import { byteRouteDocs, byteRoutePaths, type ByteRouteDoc } from "./byte-route-docs";
import { createApiContext } from "./context";
import { downloadExportFile } from "./files";
import { downloadImage, uploadImage } from "./images";
import { uploadImport } from "./imports";

export const REST_BASE = "/api/v1";
export const TRPC_BASE = "/api/trpc";

export type ByteRoute = {
  /** What the route does, for logs and tests. */
  name: string;
  method: string;
  pattern: RegExp;
  run(ctx: ApiContext, request: Request, params: string[]): Promise<Response>;
  /** Its entry in the OpenAPI document; none for routes outside the public API. */
  openApi?: ByteRouteDoc;
};

// Routes that move bytes, not JSON: matched before the generated REST routes.
export const byteRoutes: ByteRoute[] = [
  {
    name: "admin.run",
    method: "POST",
    pattern: /^\/admin$/,
    run: (ctx, request) => runAdminRequest(ctx, request),
  },
  {
    name: "exports.file",
    method: "GET",
    pattern: /^\/files\/exports\/([^/]+)$/,
    run: (ctx, request, [id]) => downloadExportFile(ctx, request, id!),
    openApi: byteRouteDocs.exportFile,
  },
  {
    name: "images.upload",
    method: "PUT",
    pattern: /^\/datasets\/([^/]+)\/images\/(.+)$/,
    run: (ctx, request, [dataset, path]) => uploadImage(ctx, request, dataset!, path!),
    openApi: byteRouteDocs.imageUpload,
  },
  {
    name: "images.file",
    method: "GET",
    pattern: /^\/datasets\/([^/]+)\/image-files\/(.+)$/,
    run: (ctx, request, [dataset, path]) => downloadImage(ctx, request, dataset!, path!),
    openApi: byteRouteDocs.imageFile,
  },
  {
    name: "imports.upload",
    method: "POST",
    pattern: /^\/datasets\/([^/]+)\/imports$/,
    run: (ctx, request, [dataset]) => uploadImport(ctx, request, dataset!),
    openApi: byteRouteDocs.importUpload,
  },
];

export function createApiHandler(
  services: ApiServices,
  options: { onInternalError?(error: unknown): void } = {},
) {
  const report = (error: unknown) => options.onInternalError?.(error);
  const rest = createRestHandler<ApiContext>({
    router: appRouter,
    basePath: REST_BASE,
    createContext: (request) => createApiContext(services, request),
    onInternalError: report,
  });
  let openApi: unknown = null;

  async function handleRest(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname.slice(REST_BASE.length);
    if (request.method === "GET" && path === "/openapi.json") {
      openApi ??= buildOpenApiDocument(appRouter, byteRoutePaths(byteRoutes));
      return Response.json(openApi);
    }
    for (const route of byteRoutes) {
      const match = route.method === request.method && route.pattern.exec(path);
      if (!match) continue;
      let requestId = "";
      try {
        const ctx = await createApiContext(services, request);
        requestId = ctx.requestId;
        const response = await route.run(ctx, request, match.slice(1).map(decodePathParam));
        response.headers.set("x-request-id", requestId);
        return response;
      } catch (error) {
        if (isInternal(error)) report(error);
        const { status, body } = errorResponseBody(error);
        return jsonResponse(status, body, requestId);
      }
    }
    return (
      (await rest(request)) ??
      jsonResponse(404, {
        error: { code: "not_found", message: `no API route ${request.method} ${REST_BASE}${path}` },
      })
    );
  }

  function handleTrpc(request: Request): Promise<Response> {
    return fetchRequestHandler({
      endpoint: TRPC_BASE,
      req: request,
      router: appRouter,
      createContext: ({ resHeaders }) => createApiContext(services, request, resHeaders),
      onError: ({ error }) => {
        if (isInternal(error)) report(error);
      },
    });
  }

  return { handleRest, handleTrpc };
}
