// client.imports: uploads a ZIP in any of the seven formats into a dataset; a worker reads it
// in the background, and `create` waits for it by default.
import type { Format } from "../dataset-model";
import { ImportFailedError, PollTimeoutError } from "../core/errors";
import { pollUntilDone } from "../core/polling";
import { encodePath, type RequestOptions } from "../core/request";
import { APIResource } from "../core/resource";
import { uploadBody, type Uploadable } from "../core/uploads";
import type { ExportStatus, WaitParams } from "./exports";

export type ImportStatus = ExportStatus;

/** Something in the ZIP that could not be imported as it was. */
export type ImportProblem = {
  file: string;
  line: number | null;
  element: string | null;
  reason: string;
};

export type ImportReport = {
  images: number;
  annotations: number;
  image_files: number;
  problems: ImportProblem[];
  /** Problems beyond those listed. */
  problems_truncated: number;
};

export type Import = {
  id: string;
  dataset_name: string;
  format: Format;
  status: ImportStatus;
  progress: number;
  /** What was imported, once completed. */
  report: ImportReport | null;
  error_message: string | null;
  created_at: string;
  completed_at: string | null;
};

export type ImportCreateParams = WaitParams<Import> & {
  /** The ZIP's format. */
  format: Format;
  /** Default true: resolve once the import is done. */
  wait?: boolean;
};

const DEFAULT_POLL_INTERVAL = 2.0;
const DEFAULT_WAIT_TIMEOUT = 600.0;

export class Imports extends APIResource {
  /** Uploads `zip` (a file path, bytes or a stream) and, by default, waits until it is
   * imported. Throws ImportFailedError when it fails, PollTimeoutError when `timeout` runs out. */
  async create(
    dataset: string,
    zip: Uploadable,
    params: ImportCreateParams,
    options: RequestOptions = {},
  ): Promise<Import> {
    const created = await this.transport.json<Import>(
      {
        method: "POST",
        path: `/datasets/${encodePath(dataset)}/imports`,
        query: { format: params.format },
        body: uploadBody(zip, "application/zip"),
      },
      options,
    );
    if (params.wait === false) return created;
    return this.waitUntilDone(created, params, options);
  }

  /** The dataset's latest 100 imports, newest first. */
  list(dataset: string, options: RequestOptions = {}): Promise<Import[]> {
    return this.transport.json(
      { method: "GET", path: `/datasets/${encodePath(dataset)}/imports` },
      options,
    );
  }

  get(dataset: string, id: string, options: RequestOptions = {}): Promise<Import> {
    return this.transport.json(
      { method: "GET", path: `/datasets/${encodePath(dataset)}/imports/${encodePath(id)}` },
      options,
    );
  }

  async waitForCompletion(
    dataset: string,
    id: string,
    params: WaitParams<Import> = {},
    options: RequestOptions = {},
  ): Promise<Import> {
    return this.waitUntilDone(await this.get(dataset, id, options), params, options);
  }

  private waitUntilDone(current: Import, params: WaitParams<Import>, options: RequestOptions) {
    return pollUntilDone({
      current,
      get: () => this.get(current.dataset_name, current.id, options),
      done: (job) => {
        if (job.status === "failed") throw new ImportFailedError(job);
        return job.status === "completed";
      },
      timeout: params.timeout ?? DEFAULT_WAIT_TIMEOUT,
      interval: params.poll_interval ?? DEFAULT_POLL_INTERVAL,
      onProgress: params.on_progress,
      signal: options.signal,
      timedOut: (job, waited) =>
        new PollTimeoutError(
          `import ${job.id} into dataset "${job.dataset_name}" is still ${job.status} (${Math.floor(job.progress)}%) after ${waited} s; it keeps running: wait again or get it later`,
          { import: job },
          waited,
        ),
    });
  }
}
