// The OpenAPI document is what other languages and tools build clients from: it must name
// every public route, the byte routes (uploads, files) included, with their parameters.
import { describe, expect, it } from "vitest";
import { byteRoutes } from "./http/handler";
import { byteRoutePaths } from "./http/byte-route-docs";
import { buildOpenApiDocument } from "./openapi";
import { restRoutes } from "./rest";
import { appRouter } from "./root";

type Operation = { operationId: string; parameters: { name: string; in: string }[] };
const document = buildOpenApiDocument(appRouter, byteRoutePaths(byteRoutes));
const paths = document.paths as Record<string, Record<string, Operation>>;
const operations = Object.entries(paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ path, method, ...op })),
);

describe("the OpenAPI document", () => {
  it("has every REST route under its method, and every public byte route", () => {
    for (const route of restRoutes(appRouter)) {
      const path = route.path.replace("{path+}", "{path}");
      expect(
        paths[path]?.[route.method.toLowerCase()]?.operationId,
        `${route.method} ${route.path}`,
      ).toBe(route.procedure);
    }
    for (const route of byteRoutes) {
      const documented = operations.some(
        (op) => op.operationId === route.openApi?.operation.operationId,
      );
      expect(documented, route.name).toBe(route.name !== "admin.run");
    }
    // The upload shares its path with the image's GET, PATCH and DELETE.
    expect(Object.keys(paths["/datasets/{dataset}/images/{path}"]!).sort()).toEqual([
      "delete",
      "get",
      "patch",
      "put",
    ]);
    expect(Object.keys(paths["/datasets/{dataset}/imports"]!).sort()).toEqual(["get", "post"]);
  });

  it("declares every path parameter of every operation, and no other", () => {
    for (const op of operations) {
      const inTemplate = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = op.parameters
        .filter((p) => p.in === "path")
        .map((p) => p.name)
        .sort();
      expect(declared, `${op.method} ${op.path}`).toEqual(inTemplate);
    }
  });
});
