// client.images: image files and their metadata. Bytes go up with `upload` (from a path, a
// buffer or a stream) and come down with `download`, streamed both ways.
import type { Readable } from "node:stream";
import type { ImageStatus, Split } from "../dataset-model";
import { iteratePages, type Page } from "../core/pagination";
import { encodePath, type RequestOptions } from "../core/request";
import { APIResource } from "../core/resource";
import { uploadBody, type Uploadable } from "../core/uploads";
import type { PageParams } from "./datasets";
import { checkedBody, type DownloadProgress } from "./exports";

export type Image = {
  id: string;
  dataset_name: string;
  /** Its path in the dataset, e.g. `batch1/x.jpg`. */
  path: string;
  width: number;
  height: number;
  status: ImageStatus;
  split: Split | null;
  tags: string[];
  /** Hex SHA-256 of the file. */
  sha256: string;
  size_bytes: number;
  mime: string;
  annotation_count: number;
  created_at: string;
  updated_at: string;
};

export type ImageFilters = {
  status?: ImageStatus;
  split?: Split;
  /** Only images with an annotation of this class. */
  class_name?: string;
};

export type ImageListParams = PageParams & ImageFilters;
export type ImageIterParams = ImageFilters & { page_size?: number };

export type ImageUpdateParams = {
  status?: ImageStatus;
  split?: Split | null;
  tags?: string[];
};

export type ImageUploadParams = {
  /** Review status of a new image (default "new"); an existing image keeps its own. */
  status?: ImageStatus;
  split?: Split | null;
};

export class Images extends APIResource {
  /** One page of the dataset's images, by path. */
  list(
    dataset: string,
    params: ImageListParams = {},
    options: RequestOptions = {},
  ): Promise<Page<Image>> {
    return this.transport.json(
      { method: "GET", path: `/datasets/${encodePath(dataset)}/images`, query: params },
      options,
    );
  }

  /** Every image of the dataset, page after page. */
  iter(
    dataset: string,
    params: ImageIterParams = {},
    options: RequestOptions = {},
  ): AsyncGenerator<Image, void, undefined> {
    const { page_size, ...filters } = params;
    return iteratePages((cursor) =>
      this.list(dataset, { ...filters, limit: page_size, cursor }, options),
    );
  }

  get(dataset: string, path: string, options: RequestOptions = {}): Promise<Image> {
    return this.transport.json({ method: "GET", path: imagePath(dataset, path) }, options);
  }

  update(
    dataset: string,
    path: string,
    params: ImageUpdateParams,
    options: RequestOptions = {},
  ): Promise<Image> {
    return this.transport.json(
      { method: "PATCH", path: imagePath(dataset, path), body: { json: params } },
      options,
    );
  }

  /** Deletes the image, its file and its annotations (admin keys only). */
  async delete(dataset: string, path: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.json({ method: "DELETE", path: imagePath(dataset, path) }, options);
  }

  /** Uploads an image file to `path` in the dataset, replacing the file already there.
   * `file` is a local file path, bytes, or a stream (a stream is sent once, never retried). */
  upload(
    dataset: string,
    path: string,
    file: Uploadable,
    params: ImageUploadParams = {},
    options: RequestOptions = {},
  ): Promise<Image> {
    return this.transport.json(
      {
        method: "PUT",
        path: imagePath(dataset, path),
        query: { status: params.status, split: params.split === null ? "" : params.split },
        body: uploadBody(file, "application/octet-stream"),
      },
      options,
    );
  }

  /** The image file's bytes, streamed. */
  async download(
    dataset: string,
    path: string,
    params: { on_progress?: (progress: DownloadProgress) => void } = {},
    options: RequestOptions = {},
  ): Promise<Readable> {
    const response = await this.transport.stream(
      { method: "GET", path: `/datasets/${encodePath(dataset)}/image-files/${encodePath(path)}` },
      options,
    );
    const length = response.headers.get("content-length");
    return checkedBody(
      response,
      length === null ? null : Number(length),
      `image "${path}"`,
      params.on_progress,
    );
  }
}

function imagePath(dataset: string, path: string): string {
  return `/datasets/${encodePath(dataset)}/images/${encodePath(path)}`;
}
