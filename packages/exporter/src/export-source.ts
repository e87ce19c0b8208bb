// An ExportSource over the database: pages a dataset's selected images by keyset (never
// OFFSET, never the whole table) and counts them as they stream, for progress. Each pass
// first cuts the selection into ranges of a page (one cheap query for every 500th path), so
// the next PAGES_AHEAD pages are asked for at once, before this one's rows are parsed: the
// database renders them on parallel connections while this process parses and writes. At
// most PAGES_AHEAD + 1 pages are held.
import {
  classNamer,
  exportImageOf,
  exportPageBounds,
  pageExportImageRows,
  type DbOrTx,
  type ExportImage,
  type ExportImageRow,
  type KeysetPage,
  type TupleClass,
} from "@pictograph/db";
import type { ExportSource, ImagePass } from "@pictograph/formats";
import type { ClassDef, DatasetImage, ExportOptions } from "@pictograph/schema";
import type { SplitCounts } from "@pictograph/formats";
import { DatasetChangedError } from "./build-errors";

export const EXPORT_PAGE_SIZE = 500;
/** Pages asked for beyond the one being yielded: the database renders them (on as many
 * connections) while this process parses and writes. */
export const PAGES_AHEAD = 2;

/** An exported image's file, as storage knows it. */
export type StoredImageFile = Omit<ExportImage, "image">;

export type DatabaseExportSource = ExportSource & {
  images(filter?: ImagePass): AsyncIterable<DatasetImage>;
  /** Where an image yielded by this source is stored (for image members). */
  storedFileOf(image: DatasetImage): StoredImageFile | undefined;
  /** Images yielded so far, over every pass. */
  readonly yielded: number;
};

export function databaseExportSource(params: {
  db: DbOrTx;
  datasetId: string;
  datasetName: string;
  classes: ClassDef[];
  /** Class id → name, for every class of `classes`. */
  classNamesById: ReadonlyMap<string, string>;
  /** Ids of the classes whose annotations survive the class filter; null keeps all. */
  classIds: string[] | null;
  options: ExportOptions;
  splitCounts: SplitCounts;
  exportedAt: Date;
  signal: AbortSignal;
}): DatabaseExportSource {
  const { db, signal } = params;
  // Writers ask for an image's file while the source is on that image's page: remembering
  // the page being yielded only keeps memory bounded. Only the files: holding the images to
  // the page's end kept its annotations alive through young-generation collections, which
  // copy every survivor; that doubled a 100k COCO export's GC time (1.0 → 2.1 s).
  let stored = new Map<string, StoredImageFile>();
  let yielded = 0;
  const namer = classNamer(params.classNamesById);
  const className = (key: TupleClass) => {
    const name = namer.name(key);
    // A class created after the build read the dataset's classes, and already in use.
    if (name === undefined) throw new DatasetChangedError();
    return name;
  };
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
      const selection = {
        datasetId: params.datasetId,
        statusFilter: params.options.status_filter,
        split: filter.split,
      };
      const fetchPage = (after: string | null, upTo: string | null) => {
        signal.throwIfAborted();
        const page = pageExportImageRows(db, {
          ...selection,
          classIds: params.classIds,
          numberedClasses: namer.numberedClasses,
          annotations: filter.annotations,
          after,
          upTo,
          limit: EXPORT_PAGE_SIZE,
        });
        // A read-ahead may fail long before it is awaited (or never be, when the pass is left
        // early): marked handled now so the process does not die of an "unhandled" rejection;
        // awaiting it still throws.
        page.catch(() => undefined);
        return page;
      };
      // Pages are ranges of paths cut up front, so that several can be asked for at once:
      // range i runs after bounds[i - 1] (or from the start) up to bounds[i] (or to the end).
      const bounds = await exportPageBounds(db, { ...selection, pageSize: EXPORT_PAGE_SIZE });
      const ahead: Array<{ upTo: string | null; page: Promise<KeysetPage<ExportImageRow>> }> = [];
      let nextRange = 0;
      const askAhead = () => {
        for (; ahead.length < PAGES_AHEAD && nextRange <= bounds.length; nextRange++) {
          const upTo = bounds[nextRange] ?? null;
          ahead.push({ upTo, page: fetchPage(bounds[nextRange - 1] ?? null, upTo) });
        }
      };
      askAhead();
      while (ahead.length) {
        const { upTo, page: next } = ahead.shift()!;
        let page: KeysetPage<ExportImageRow> | null = await next;
        askAhead();
        while (page) {
          stored = new Map();
          for (const row of page.items) {
            const { image, ...file } = exportImageOf(row, className);
            stored.set(image.path, file);
            yielded++;
            yield image;
          }
          // Images added to this range since it was cut: the rest of it, a page at a time.
          page = page.nextCursor ? await fetchPage(page.nextCursor, upTo) : null;
        }
      }
    },
  };
}
