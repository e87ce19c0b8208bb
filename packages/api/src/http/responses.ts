// Response helpers for the routes that move bytes rather than JSON.
import { describeZodError } from "@pictograph/schema";
import {
  formatAttachmentDisposition,
  InvalidRangeError,
  type BlobStore,
} from "@pictograph/storage";
import { Readable } from "node:stream";
import type { z } from "zod";
import { ApiError, errorResponseBody, fail } from "../errors";
import { jsonResponse } from "../rest";
import { refuseNulCharacters } from "../input-text";

export function parseOrFail<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  refuseNulCharacters(value);
  const result = schema.safeParse(value);
  if (!result.success) {
    const { message, issues } = describeZodError(result.error);
    return fail("validation_error", message, { issues });
  }
  return result.data;
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` against `size`; null when absent; throws 416-worthy. */
export function parseRange(
  header: string | null,
  size: number,
): { start: number; end: number } | null | "invalid" {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return "invalid";
  let start: number;
  let end: number;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "invalid";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start > end || start >= size ? "invalid" : { start, end };
}

export type BlobResponse = {
  key: string;
  size: number;
  contentType: string;
  etag: string | null;
  fileName?: string;
  cacheControl: string;
  /** Checked while streaming; when it resolves false the connection is cut mid-stream. */
  stillValid?: () => Promise<boolean>;
};

export async function streamBlob(
  storage: BlobStore,
  request: Request,
  blob: BlobResponse,
): Promise<Response> {
  const headers = new Headers({
    "content-type": blob.contentType,
    "accept-ranges": "bytes",
    "cache-control": blob.cacheControl,
  });
  if (blob.etag) headers.set("etag", `"${blob.etag}"`);
  if (blob.fileName) headers.set("content-disposition", formatAttachmentDisposition(blob.fileName));
  if (blob.etag && request.headers.get("if-none-match") === `"${blob.etag}"`)
    return new Response(null, { status: 304, headers });

  const range = parseRange(request.headers.get("range"), blob.size);
  if (range === "invalid") return rangeNotSatisfiable(request, blob.size);
  let stream: Readable;
  try {
    stream = await storage.get(blob.key, range ?? undefined);
  } catch (error) {
    if (error instanceof InvalidRangeError) return rangeNotSatisfiable(request, blob.size);
    throw error;
  }
  const length = range ? range.end - range.start + 1 : blob.size;
  headers.set("content-length", String(length));
  if (range) headers.set("content-range", `bytes ${range.start}-${range.end}/${blob.size}`);
  if (blob.stillValid) cutOffWhenInvalid(stream, blob.stillValid);
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    status: range ? 206 : 200,
    headers,
  });
}

/** A 416 is a refusal like any other: the error body, plus the size a client needs to retry. */
function rangeNotSatisfiable(request: Request, size: number): Response {
  const { status, body } = errorResponseBody(
    new ApiError(
      "range_not_satisfiable",
      `the range ${JSON.stringify(request.headers.get("range")?.slice(0, 100))} is not satisfiable: the file has ${size} bytes`,
    ),
  );
  const response = jsonResponse(status, body);
  response.headers.set("content-range", `bytes */${size}`);
  return response;
}

/** Checks once a second; a deleted export's download errors instead of ending as if complete. */
function cutOffWhenInvalid(stream: Readable, stillValid: () => Promise<boolean>) {
  const timer = setInterval(() => {
    stillValid().then(
      (valid) => valid || stream.destroy(new Error("the export was deleted during the download")),
      () => undefined,
    );
  }, 1000);
  stream.once("close", () => clearInterval(timer));
}
