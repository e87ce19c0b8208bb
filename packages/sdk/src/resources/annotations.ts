// client.annotations: an image's annotations, read and replaced as a whole, one image or
// many at once.
import type { Annotation, AnnotationInput } from "../dataset-model";
import { encodePath, type RequestOptions } from "../core/request";
import { APIResource } from "../core/resource";

export type ImageAnnotations = { path: string; annotations: Annotation[] };

export type AnnotationsBulkResult = { images: number; annotations: number };

export class Annotations extends APIResource {
  get(dataset: string, path: string, options: RequestOptions = {}): Promise<ImageAnnotations> {
    return this.transport.json({ method: "GET", path: annotationsPath(dataset, path) }, options);
  }

  /** Replaces the image's annotations (an empty list clears them). */
  replace(
    dataset: string,
    path: string,
    annotations: AnnotationInput[],
    options: RequestOptions = {},
  ): Promise<ImageAnnotations> {
    return this.transport.json(
      { method: "PUT", path: annotationsPath(dataset, path), body: { json: { annotations } } },
      options,
    );
  }

  /** Replaces the annotations of up to 10,000 images at once: all or none. */
  bulkReplace(
    dataset: string,
    images: { path: string; annotations: AnnotationInput[] }[],
    options: RequestOptions = {},
  ): Promise<AnnotationsBulkResult> {
    return this.transport.json(
      {
        method: "PUT",
        path: `/datasets/${encodePath(dataset)}/annotations`,
        body: { json: { images } },
      },
      options,
    );
  }
}

function annotationsPath(dataset: string, path: string): string {
  return `/datasets/${encodePath(dataset)}/annotations/${encodePath(path)}`;
}
