// client.exports: the published export API (DESIGN.md "The contract"). Parameters and
// results are the wire's snake_case objects; every duration is in seconds.
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { Format, StatusFilter } from "../dataset-model";
import {
  APIConnectionError,
  ExportFailedError,
  PictographError,
  PollTimeoutError,
} from "../core/errors";
import { iteratePages, type Page } from "../core/pagination";
import { pollUntilDone } from "../core/polling";
import { encodePath, type RequestOptions } from "../core/request";
import { APIResource } from "../core/resource";

export type ExportStatus = "pending" | "processing" | "completed" | "failed";

export type Export = {
  id: string;
  dataset_name: string;
  name: string;
  format: Format;
  include_images: boolean;
  /** null: every class. */
  class_filter: string[] | null;
  status_filter: StatusFilter;
  status: ExportStatus;
  /** Percent done, 0–100. */
  progress: number;
  image_count: number | null;
  annotation_count: number | null;
  size_bytes: number | null;
  /** Hex SHA-256 of the ZIP, once completed. */
  sha256: string | null;
  /** Why it failed, when `status` is "failed". */
  error_message: string | null;
  created_at: string;
  completed_at: string | null;
  /** When the ZIP is removed from storage. */
  expires_at: string | null;
  /** A signed URL, valid 60 minutes, fresh on every call; null until completed. */
  download_url: string | null;
};

/** What the export contains. */
export type ExportOptions = {
  /** Default "pictograph". */
  format?: Format;
  /** Default true; false exports the annotations only. */
  include_images?: boolean;
  /** Default null: every class. Only these classes' annotations are kept. */
  class_filter?: string[] | null;
  /** Default "complete". Images with another review status are left out. */
  status_filter?: StatusFilter;
};

export type WaitParams<T> = {
  /** Seconds to wait before PollTimeoutError; default 600. The job keeps running. */
  timeout?: number;
  /** Seconds between looks; default 2. */
  poll_interval?: number;
  /** Called with the object after every look: show `progress`. */
  on_progress?: (current: T) => void;
};

export type ExportCreateParams = ExportOptions &
  WaitParams<Export> & {
    /** Default true: resolve once the ZIP is ready. false: resolve at once with the pending export. */
    wait?: boolean;
  };

export type ExportListParams = {
  /** Only this dataset's exports. */
  dataset?: string;
  status?: ExportStatus;
  /** 1–200, default 50. */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string | null;
};

export type ExportIterParams = Omit<ExportListParams, "limit" | "cursor"> & {
  /** Exports fetched per request, 1–200, default 50. */
  page_size?: number;
};

/** A fresh signed link to a completed export's ZIP. */
export type ExportDownloadLink = {
  url: string;
  /** 60 minutes from now. */
  expires_at: string;
  size_bytes: number | null;
};

export type DownloadProgress = { bytes: number; total: number | null };

export type ExportDownloadParams = {
  /** Where to write the ZIP. It is streamed to `<output_path>.part` and renamed when complete.
   * Without it, `download` resolves with the byte stream. */
  output_path?: string;
  on_progress?: (progress: DownloadProgress) => void;
};

export type DownloadedFile = { path: string; size_bytes: number };

const DEFAULT_POLL_INTERVAL = 2.0;
const DEFAULT_WAIT_TIMEOUT = 600.0;

export class Exports extends APIResource {
  /** Creates an export and, by default, waits until its ZIP is ready. Throws ConflictError when
   * the name is taken, ValidationError for an unknown format, status filter or class,
   * ExportFailedError when the build fails, PollTimeoutError when `timeout` runs out. */
  async create(
    dataset: string,
    name: string,
    params: ExportCreateParams = {},
    options: RequestOptions = {},
  ): Promise<Export> {
    const { wait = true, timeout, poll_interval, on_progress, ...body } = params;
    const created = await this.transport.json<Export>(
      {
        method: "POST",
        path: `/datasets/${encodePath(dataset)}/exports`,
        body: { json: { ...body, name } },
        // One key for the create and all its retries: a retry cannot make a second export.
        idempotencyKey: options.idempotencyKey ?? randomUUID(),
      },
      options,
    );
    if (!wait) return created;
    return this.waitUntilBuilt(created, { timeout, poll_interval, on_progress }, options);
  }

  /** One page of the workspace's exports, newest first. */
  list(params: ExportListParams = {}, options: RequestOptions = {}): Promise<Page<Export>> {
    return this.transport.json({ method: "GET", path: "/exports", query: params }, options);
  }

  /** Every export, page after page: `for await (const e of client.exports.iter())`. */
  iter(
    params: ExportIterParams = {},
    options: RequestOptions = {},
  ): AsyncGenerator<Export, void, undefined> {
    const { page_size, ...filters } = params;
    return iteratePages((cursor) => this.list({ ...filters, limit: page_size, cursor }, options));
  }

  /** The export with its `status`, `progress` and, once completed, `download_url`. */
  get(dataset: string, name: string, options: RequestOptions = {}): Promise<Export> {
    return this.transport.json({ method: "GET", path: exportPath(dataset, name) }, options);
  }

  /** Waits until the export is completed and resolves with it. Throws ExportFailedError when
   * it fails and PollTimeoutError when `timeout` seconds pass first. */
  async waitForCompletion(
    dataset: string,
    name: string,
    params: WaitParams<Export> = {},
    options: RequestOptions = {},
  ): Promise<Export> {
    return this.waitUntilBuilt(await this.get(dataset, name, options), params, options);
  }

  /** A fresh signed URL for the completed export's ZIP, valid 60 minutes. ConflictError while
   * it is not completed. */
  downloadLink(
    dataset: string,
    name: string,
    options: RequestOptions = {},
  ): Promise<ExportDownloadLink> {
    return this.transport.json(
      { method: "GET", path: `${exportPath(dataset, name)}/download` },
      options,
    );
  }

  /** Streams the completed export's ZIP to `output_path` (through `<output_path>.part`, renamed
   * when every byte arrived; never buffered whole), or resolves with the byte stream. */
  download(
    dataset: string,
    name: string,
    params: ExportDownloadParams & { output_path: string },
    options?: RequestOptions,
  ): Promise<DownloadedFile>;
  download(
    dataset: string,
    name: string,
    params?: ExportDownloadParams & { output_path?: undefined },
    options?: RequestOptions,
  ): Promise<Readable>;
  async download(
    dataset: string,
    name: string,
    params: ExportDownloadParams = {},
    options: RequestOptions = {},
  ): Promise<DownloadedFile | Readable> {
    const link = await this.downloadLink(dataset, name, options);
    const response = await this.transport.streamUrl(link.url, options);
    const length = Number(response.headers.get("content-length"));
    const total =
      Number.isInteger(length) && response.headers.has("content-length") ? length : link.size_bytes;
    const what = `export "${name}" of dataset "${dataset}"`;
    const body = checkedBody(response, total, what, params.on_progress);
    if (params.output_path === undefined) return body;

    const partial = `${params.output_path}.part`;
    try {
      await pipeline(body, createWriteStream(partial));
      await rename(partial, params.output_path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return { path: params.output_path, size_bytes: body.bytesRead };
  }

  /** Deletes the export and its ZIP. A build in progress stops; downloads in flight break off. */
  async delete(dataset: string, name: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.json({ method: "DELETE", path: exportPath(dataset, name) }, options);
  }

  private waitUntilBuilt(current: Export, params: WaitParams<Export>, options: RequestOptions) {
    return pollUntilDone({
      current,
      get: () => this.get(current.dataset_name, current.name, options),
      done: (exp) => {
        if (exp.status === "failed") throw new ExportFailedError(exp);
        return exp.status === "completed";
      },
      timeout: params.timeout ?? DEFAULT_WAIT_TIMEOUT,
      interval: params.poll_interval ?? DEFAULT_POLL_INTERVAL,
      onProgress: params.on_progress,
      signal: options.signal,
      timedOut: (exp, waited) =>
        new PollTimeoutError(
          `export "${exp.name}" of dataset "${exp.dataset_name}" is still ${exp.status} (${Math.floor(exp.progress)}%) after ${waited} s; it keeps building: wait again or get it later`,
          { export: exp },
          waited,
        ),
    });
  }
}

function exportPath(dataset: string, name: string): string {
  return `/datasets/${encodePath(dataset)}/exports/${encodePath(name)}`;
}

/** A byte stream that counts what passes, reports progress, and errors (APIConnectionError)
 * rather than ending quietly when the connection breaks or the body comes up short. */
export type CountedStream = Readable & { readonly bytesRead: number };

export function checkedBody(
  response: Response,
  total: number | null,
  what: string,
  onProgress?: (progress: DownloadProgress) => void,
): CountedStream {
  if (!response.body) throw new PictographError(`the server sent no bytes for ${what}`);
  const source = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.byteLength;
      onProgress?.({ bytes, total });
      done(null, chunk);
    },
    flush(done) {
      done(
        total !== null && bytes !== total
          ? new APIConnectionError(`the download of ${what} ended after ${bytes} of ${total} bytes`)
          : null,
      );
    },
  });
  source.on("error", (error) =>
    counter.destroy(
      new APIConnectionError(
        `the download of ${what} broke off after ${bytes} bytes: ${(error as Error).message}`,
        {
          cause: error,
        },
      ),
    ),
  );
  counter.on("close", () => source.destroy());
  source.pipe(counter);
  Object.defineProperty(counter, "bytesRead", { get: () => bytes });
  return counter as unknown as CountedStream;
}
