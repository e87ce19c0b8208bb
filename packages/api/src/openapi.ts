// The OpenAPI 3.1 document at /api/v1/openapi.json, generated from the same procedures and
// zod schemas as the REST routes, so it cannot drift from what the server accepts.
import type { AnyRouter } from "@trpc/server";
import { ErrorBodySchema, ERROR_CODES } from "@pictograph/schema";
import { z } from "zod";
import { restRoutes } from "./rest";

type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, unknown>;
  required?: string[];
};

export const jsonSchemaOf = (schema: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;

/** `extraPaths` (routes the generator cannot see) join the generated path items method by method. */
export function buildOpenApiDocument(
  router: AnyRouter,
  extraPaths: Record<string, Record<string, unknown>> = {},
) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of restRoutes(router)) {
    const openApiPath = route.path.replace(/\{(\w+)\+\}/g, "{$1}");
    const input = route.input ? jsonSchemaOf(route.input, "input") : null;
    const properties = input?.properties ?? {};
    const required = new Set(input?.required ?? []);
    const inPath = new Set(route.params);
    const parameters = Object.entries(properties)
      .filter(([name]) => inPath.has(name) || route.method === "GET" || route.method === "DELETE")
      .map(([name, schema]) => ({
        name,
        in: inPath.has(name) ? "path" : "query",
        required: inPath.has(name) || required.has(name),
        schema,
      }));
    const bodyProperties = Object.fromEntries(
      Object.entries(properties).filter(([name]) => !inPath.has(name)),
    );
    const hasBody =
      route.method !== "GET" && route.method !== "DELETE" && Object.keys(bodyProperties).length > 0;
    (paths[openApiPath] ??= {})[route.method.toLowerCase()] = {
      operationId: route.procedure,
      summary: route.summary,
      tags: [route.tag],
      parameters,
      ...(hasBody
        ? {
            requestBody: {
              required: true,
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: bodyProperties,
                    required: [...required].filter((n) => !inPath.has(n)),
                  },
                },
              },
            },
          }
        : {}),
      responses: {
        [String(route.status)]:
          route.status === 204
            ? { description: "done" }
            : {
                description: "success",
                content: {
                  "application/json": {
                    schema: route.output ? jsonSchemaOf(route.output, "output") : {},
                  },
                },
              },
        default: { $ref: "#/components/responses/Error" },
      },
    };
  }
  for (const [path, operations] of Object.entries(extraPaths))
    Object.assign((paths[path] ??= {}), operations);
  return {
    openapi: "3.1.0",
    info: {
      title: "Pictograph API",
      version: "1",
      description:
        "Datasets, images, annotations and exports. Authenticate with an API key in `X-API-Key` or `Authorization: Bearer`. " +
        `Every error has the body {"error": {"code", "message", "details"}}; codes: ${Object.entries(
          ERROR_CODES,
        )
          .map(([code, status]) => `${code} (${status})`)
          .join(", ")}.`,
    },
    servers: [{ url: "/api/v1" }],
    security: [{ apiKey: [] }, { bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
        bearer: { type: "http", scheme: "bearer" },
      },
      responses: {
        Error: {
          description: "error",
          content: { "application/json": { schema: jsonSchemaOf(ErrorBodySchema, "output") } },
        },
      },
    },
  };
}
