// The contracts between the formats and their callers (the exporter, the importer, the CLI's
// convert). Pure: nothing here does I/O.
import type {
  ClassDef,
  DatasetImage,
  ExportOptions,
  Format,
  ImportProblem,
  Split,
} from "@pictograph/schema";

/**
 * What one pass over the images asks for: one split (`null` = images without one) or, when
 * `split` is absent, every image; and whether it reads annotations. A pass that says
 * `annotations: false` (a list of names, image members) may get every annotation list empty,
 * which saves a source that reads them from a database most of its work.
 */
export type ImagePass = { split?: Split | null; annotations?: boolean };

/** Whether `image` belongs to the images `pass` asks for. */
export const inPass = (image: DatasetImage, pass: ImagePass = {}): boolean =>
  pass.split === undefined || image.split === pass.split;

/** What an export is made from. `images` may be called more than once (one pass per file a
 * format streams), each call yielding the selected images (status filter already applied)
 * in a stable order. */
export interface ExportSource {
  dataset: { name: string };
  /** The dataset's full class list in its defined order; the writer applies D1 itself. */
  classes: ClassDef[];
  options: ExportOptions;
  /** Selected images per split, known before writing (the exporter counts them in SQL). */
  splitCounts: SplitCounts;
  /** ISO timestamp written into README.txt and manifests, so output is reproducible. */
  exportedAt: string;
  images(pass?: ImagePass): AsyncIterable<DatasetImage>;
}

export type SplitCounts = { train: number; val: number; test: number; none: number };

/** A file in the ZIP: whole bytes, or chunks when the file is large (COCO JSON, CVAT XML). */
export type FileEntry = {
  type: "file";
  path: string;
  body: string | Uint8Array | AsyncIterable<string | Uint8Array>;
};
/** An image file the caller must supply (from storage, or from the archive being converted). */
export type ImageEntry = { type: "image"; path: string; image: DatasetImage };
export type ExportEntry = FileEntry | ImageEntry;

export type ExportSummary = {
  /** Images that appear in the export (D3). */
  images: number;
  /** Annotations written, counted as the format counts them (one COCO keypoint instance = 1). */
  annotations: number;
  /** Shapes not written, by reason (`polyline: not expressible in yolo`, `bbox: no area after clipping`). */
  skipped: Record<string, number>;
  /** Image members the export references; the caller checks each one was written. */
  imageMembers: number;
};

/** A format writer: yields entries in ZIP order, returns the summary when done. */
export type FormatWriter = (
  source: ExportSource,
) => AsyncGenerator<ExportEntry, ExportSummary, void>;

/** A member of an archive being read: a relative POSIX path already checked to be safe. */
export type ArchiveMember = { path: string; size: number };

/** Read access to a ZIP or a directory. Implementations refuse unsafe members (zip-slip,
 * absolute paths, symlinks) and report them through `problems`, never throwing for them. */
export interface ArchiveSource {
  members(): AsyncIterable<ArchiveMember>;
  has(path: string): boolean | Promise<boolean>;
  /** Whole member, refused past `maxBytes` (default: the source's limit). */
  read(path: string, maxBytes?: number): Promise<Uint8Array>;
  /** Member as a byte stream (image files). */
  open(path: string): AsyncIterable<Uint8Array>;
  problems: ImportProblem[];
}

export type ImportedImage = {
  image: DatasetImage;
  /** Archive member holding the image bytes, when the archive has them. */
  file: string | null;
};

export type ReadResult = {
  classes: ClassDef[];
  images: AsyncIterable<ImportedImage>;
  /** What could not be imported; complete once `images` has been iterated to the end. */
  problems: ImportProblem[];
  /** How many images `images` should yield, when the reader knows before yielding them (for
   * progress; problems found on the way can make it fewer). */
  expectedImages?: number;
};

export type ReadOptions = { maxJsonBytes?: number };
export type FormatReader = (archive: ArchiveSource, options?: ReadOptions) => Promise<ReadResult>;

export type FormatModule = {
  id: Format;
  write: FormatWriter;
  read: FormatReader;
  description: string;
  /** How many times the writer walks the selected images, for progress reporting. */
  passes(options: ExportOptions): number;
};
