// An ExportSource over the database: pages a dataset's selected images by keyset (never
// OFFSET, never the whole table) and counts them as they stream, for progress. The next
// page is asked for as soon as this one arrives, before its rows are parsed, so the database
// works while this process parses and writes; at most two pages are held.
import {
  exportImageOf,
  pageExportImageRows,
  type DbOrTx,
  type ExportImage,
  type ExportImageRow,
  type KeysetPage,
} from "@pictograph/db";
import type { ExportSource, ImagePass } from "@pictograph/formats";
import type { ClassDef, DatasetImage, ExportOptions } from "@pictograph/schema";
import type { SplitCounts } from "@pictograph/formats";

export const EXPORT_PAGE_SIZE = 500;

export type DatabaseExportSource = ExportSource & {
  images(filter?: ImagePass): AsyncIterable<DatasetImage>;
  /** Where an image yielded by this source is stored (for image members). */
  storedFileOf(image: DatasetImage): ExportImage | undefined;
  /** Images yielded so far, over every pass. */
  readonly yielded: number;
};

export function databaseExportSource(params: {
  db: DbOrTx;
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
  // the page being yielded only keeps memory bounded.
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
    async *images(filter: ImagePass = {}) {
      const pageAfter = (after: string | null): Promise<KeysetPage<ExportImageRow>> => {
        signal.throwIfAborted();
        const page = pageExportImageRows(db, {
          datasetId: params.datasetId,
          statusFilter: params.options.status_filter,
          split: filter.split,
          classIds: params.classIds,
          annotations: filter.annotations,
          after,
          limit: EXPORT_PAGE_SIZE,
        });
        // A read-ahead may fail long before it is awaited (or never be, when the pass is left
        // early): marked handled now so the process does not die of an "unhandled" rejection;
        // awaiting it still throws.
        page.catch(() => undefined);
        return page;
      };
      let next: Promise<KeysetPage<ExportImageRow>> | null = pageAfter(null);
      while (next) {
        const page: KeysetPage<ExportImageRow> = await next;
        next = page.nextCursor ? pageAfter(page.nextCursor) : null;
        stored = new Map();
        for (const row of page.items) {
          const item = exportImageOf(row);
          stored.set(item.image.path, item);
          yielded++;
          yield item.image;
        }
      }
    },
  };
}
