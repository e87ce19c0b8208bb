// client.classes: a dataset's class list, read and replaced as a whole.
import type { ClassDef, ClassDefInput } from "../dataset-model";
import { encodePath, type RequestOptions } from "../core/request";
import { APIResource } from "../core/resource";

/** A class with its place in the list (export class indices follow it). */
export type Class = ClassDef & { position: number };

export class Classes extends APIResource {
  list(dataset: string, options: RequestOptions = {}): Promise<Class[]> {
    return this.transport.json(
      { method: "GET", path: `/datasets/${encodePath(dataset)}/classes` },
      options,
    );
  }

  /** Replaces the class list; classes still used by annotations cannot be removed. */
  replace(
    dataset: string,
    classes: ClassDefInput[],
    options: RequestOptions = {},
  ): Promise<Class[]> {
    return this.transport.json(
      {
        method: "PUT",
        path: `/datasets/${encodePath(dataset)}/classes`,
        body: { json: { classes } },
      },
      options,
    );
  }
}
