// The OpenAPI entries of the byte routes (uploads, image files, signed export downloads),
// which the REST generator cannot derive because their bodies are files, not JSON. Merged
// into /api/v1/openapi.json beside the generated routes. Documentation only: no behaviour.
import { FORMATS, IMAGE_STATUSES, ImageSchema, ImportSchema, SPLITS } from "@pictograph/schema";
import { jsonSchemaOf } from "../openapi";

export type ByteRouteDoc = {
  path: string;
  method: "get" | "put" | "post";
  operation: Record<string, unknown>;
};

const datasetParam = { name: "dataset", in: "path", required: true, schema: { type: "string" } };
const imagePathParam = {
  name: "path",
  in: "path",
  required: true,
  description: "The image path, slashes included (each segment percent-encoded).",
  schema: { type: "string" },
};
const errors = { default: { $ref: "#/components/responses/Error" } };
const json = (schema: unknown) => ({ "application/json": { schema } });

export const byteRouteDocs = {
  imageUpload: {
    path: "/datasets/{dataset}/images/{path}",
    method: "put",
    operation: {
      operationId: "images.upload",
      summary:
        "Upload an image's bytes, streamed to storage. Type, size and SHA-256 come from the bytes " +
        "(JPEG, PNG, WebP, GIF, BMP, TIFF; anything else is 415); over the size limit is 413. " +
        "201 for a new image, 200 when it replaces an existing one's file.",
      tags: ["images"],
      parameters: [
        datasetParam,
        imagePathParam,
        {
          name: "status",
          in: "query",
          required: false,
          schema: { type: "string", enum: [...IMAGE_STATUSES] },
        },
        {
          name: "split",
          in: "query",
          required: false,
          description: "Empty for none.",
          schema: { type: "string", enum: [...SPLITS, ""] },
        },
      ],
      requestBody: {
        required: true,
        content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
      },
      responses: {
        "201": { description: "created", content: json(jsonSchemaOf(ImageSchema, "output")) },
        "200": { description: "file replaced", content: json(jsonSchemaOf(ImageSchema, "output")) },
        ...errors,
      },
    },
  },
  imageFile: {
    path: "/datasets/{dataset}/image-files/{path}",
    method: "get",
    operation: {
      operationId: "images.file",
      summary: "An image's bytes, with Range and If-None-Match support",
      tags: ["images"],
      parameters: [datasetParam, imagePathParam],
      responses: {
        "200": {
          description: "the file",
          content: { "image/*": { schema: { type: "string", format: "binary" } } },
        },
        "206": { description: "the requested range" },
        "304": { description: "not modified" },
        "416": { description: "range not satisfiable" },
        ...errors,
      },
    },
  },
  importUpload: {
    path: "/datasets/{dataset}/imports",
    method: "post",
    operation: {
      operationId: "imports.create",
      summary:
        "Upload a ZIP in one of the formats; it is read into the dataset in the background (poll the import)",
      tags: ["imports"],
      parameters: [
        datasetParam,
        {
          name: "format",
          in: "query",
          required: true,
          schema: { type: "string", enum: [...FORMATS] },
        },
      ],
      requestBody: {
        required: true,
        content: { "application/zip": { schema: { type: "string", format: "binary" } } },
      },
      responses: {
        "202": { description: "queued", content: json(jsonSchemaOf(ImportSchema, "output")) },
        ...errors,
      },
    },
  },
  exportFile: {
    path: "/files/exports/{id}",
    method: "get",
    operation: {
      operationId: "exports.file",
      summary:
        "A completed export's ZIP through the signed URL that exports.download returns (no API key needed)",
      tags: ["exports"],
      security: [],
      parameters: [
        { name: "id", in: "path", required: true, schema: { type: "string" } },
        { name: "expires", in: "query", required: true, schema: { type: "integer" } },
        { name: "signature", in: "query", required: true, schema: { type: "string" } },
      ],
      responses: {
        "200": {
          description: "the ZIP",
          content: { "application/zip": { schema: { type: "string", format: "binary" } } },
        },
        "206": { description: "the requested range" },
        ...errors,
      },
    },
  },
} satisfies Record<string, ByteRouteDoc>;

/** The documented byte routes as OpenAPI path items. */
export function byteRoutePaths(
  routes: { openApi?: ByteRouteDoc }[],
): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { openApi } of routes)
    if (openApi) (paths[openApi.path] ??= {})[openApi.method] = openApi.operation;
  return paths;
}
