// client.datasets: create, list, get, rename and delete datasets.
import type { ClassDefInput } from "../dataset-model";
import { iteratePages, type Page } from "../core/pagination";
import { encodePath, type RequestOptions } from "../core/request";
import { APIResource } from "../core/resource";

export type ImageCounts = { total: number; new: number; in_progress: number; complete: number };

export type Dataset = {
  id: string;
  name: string;
  description: string;
  /** Images by review status. */
  image_counts: ImageCounts;
  created_at: string;
  updated_at: string;
};

export type DatasetCreateParams = {
  description?: string;
  /** Its classes, in order (the order gives export class indices). */
  classes?: ClassDefInput[];
};

export type DatasetUpdateParams = {
  /** A new name. */
  name?: string;
  description?: string;
};

export type PageParams = {
  /** 1–200, default 50. */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string | null;
};

export type IterParams = {
  /** Items fetched per request, 1–200, default 50. */
  page_size?: number;
};

export class Datasets extends APIResource {
  create(
    name: string,
    params: DatasetCreateParams = {},
    options: RequestOptions = {},
  ): Promise<Dataset> {
    return this.transport.json(
      { method: "POST", path: "/datasets", body: { json: { ...params, name } } },
      options,
    );
  }

  /** One page of datasets, by name. */
  list(params: PageParams = {}, options: RequestOptions = {}): Promise<Page<Dataset>> {
    return this.transport.json({ method: "GET", path: "/datasets", query: params }, options);
  }

  /** Every dataset, page after page. */
  iter(
    params: IterParams = {},
    options: RequestOptions = {},
  ): AsyncGenerator<Dataset, void, undefined> {
    return iteratePages((cursor) => this.list({ limit: params.page_size, cursor }, options));
  }

  get(name: string, options: RequestOptions = {}): Promise<Dataset> {
    return this.transport.json({ method: "GET", path: `/datasets/${encodePath(name)}` }, options);
  }

  update(
    name: string,
    params: DatasetUpdateParams,
    options: RequestOptions = {},
  ): Promise<Dataset> {
    return this.transport.json(
      { method: "PATCH", path: `/datasets/${encodePath(name)}`, body: { json: params } },
      options,
    );
  }

  /** Deletes the dataset with its images, annotations, exports and imports (admin keys only). */
  async delete(name: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.json({ method: "DELETE", path: `/datasets/${encodePath(name)}` }, options);
  }
}
