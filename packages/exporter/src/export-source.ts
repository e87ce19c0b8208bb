// An ExportSource over the database: pages a dataset's selected images by keyset (never
// OFFSET, never the whole table) and counts them as they stream, for progress.
import { pageExportImages, type Db, type ExportImage } from "@pictograph/db";
import type { ExportSource } from "@pictograph/formats";
import type { ClassDef, DatasetImage, ExportOptions, Split } from "@pictograph/schema";
import type { SplitCounts } from "@pictograph/formats";

export const EXPORT_PAGE_SIZE = 500;

export type DatabaseExportSource = ExportSource & {
  /** Where an image yielded by this source is stored (for image members). */
  storedFileOf(image: DatasetImage): ExportImage | undefined;
  /** Images yielded so far, over every pass. */
  readonly yielded: number;
};

export function databaseExportSource(params: {
  db: Db;
  datasetId: string;
  datasetName: string;
  classes: ClassDef[];
  /** Ids of the classes whose annotations survive the class filter; null keeps all. */
  classIds: string[] | null;
  options: ExportOptions;
  splitCounts: SplitCounts;
  exportedAt: Date;
  signal: AbortSignal;
}): DatabaseExportSource {
  const { db, signal } = params;
  // Writers ask for an image's file while the source is on that image's page: remembering
  // the current page only keeps memory bounded.
  let stored = new Map<string, ExportImage>();
  let yielded = 0;
  return {
    dataset: { name: params.datasetName },
    classes: params.classes,
    options: params.options,
    splitCounts: params.splitCounts,
    exportedAt: params.exportedAt.toISOString(),
    get yielded() {
      return yielded;
    },
    storedFileOf: (image) => stored.get(image.path),
    async *images(filter?: { split: Split | null }) {
      let after: string | null = null;
      do {
        signal.throwIfAborted();
        const page = await pageExportImages(db, {
          datasetId: params.datasetId,
          statusFilter: params.options.status_filter,
          split: filter ? filter.split : undefined,
          classIds: params.classIds,
          after,
          limit: EXPORT_PAGE_SIZE,
        });
        stored = new Map(page.items.map((item) => [item.image.path, item]));
        for (const item of page.items) {
          yielded++;
          yield item.image;
        }
        after = page.nextCursor;
      } while (after);
    },
  };
}
