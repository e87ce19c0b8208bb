// Drives a format writer into a ZIP byte stream: the one path by which the exporter (which
// uploads the stream to storage) and the CLI's `convert` (which writes it to a file) both
// build an export. A failure anywhere errors the stream; it never ends as if complete.
// Like all of src/archive/, it may use node:stream; format folders may not.
import type { Readable } from "node:stream";
import type {
  ExportEntry,
  ExportSource,
  ExportSummary,
  FormatWriter,
  ImageEntry,
} from "../core/types";
import { ZipWriter } from "./zip-writer";

export type ImageBytes = AsyncIterable<Uint8Array> | Readable;

export type WriteExportZipOptions = {
  /** Bytes of an image member (from storage, or from the archive being converted). Required
   * when the export includes images. */
  openImage?: (entry: ImageEntry) => ImageBytes | Promise<ImageBytes>;
  /** Modification time of every member, so a rebuilt export is byte-identical. */
  mtime: Date;
  /** zlib level, 0–9; default 6. */
  level?: number;
  /** Worker threads deflating small members; see ZipWriterOptions. */
  deflateThreads?: number;
};

export type ExportZipResult = {
  summary: ExportSummary;
  /** Members written, image files included. */
  entries: number;
  imageEntries: number;
  /** Length of the ZIP in bytes. */
  bytes: number;
};

export type ExportZip = {
  /** The ZIP's bytes; errors instead of ending when any part of the export fails. */
  stream: Readable;
  /** Resolves once the last byte has been handed to `stream` (the consumer may still be
   * writing it: wait for its own pipeline to know the ZIP is stored); rejects on failure. */
  done: Promise<ExportZipResult>;
};

export function writeExportZip(
  write: FormatWriter,
  source: ExportSource,
  options: WriteExportZipOptions,
): ExportZip {
  const zip = new ZipWriter({
    mtime: options.mtime,
    level: options.level,
    deflateThreads: options.deflateThreads,
  });
  const done = driveWriter(write, source, options, zip);
  // The stream carries the error too: a caller that only pipes it must not also get an
  // unhandled rejection for `done`.
  done.catch(() => undefined);
  return { stream: zip.stream, done };
}

async function driveWriter(
  write: FormatWriter,
  source: ExportSource,
  options: WriteExportZipOptions,
  zip: ZipWriter,
): Promise<ExportZipResult> {
  const entries = write(source);
  let imageEntries = 0;
  try {
    for (;;) {
      const next = await entries.next();
      if (next.done) {
        const totals = await zip.finish();
        return { summary: next.value, entries: totals.entries, imageEntries, bytes: totals.bytes };
      }
      await addEntry(zip, next.value, options);
      if (next.value.type === "image") imageEntries++;
    }
  } catch (error) {
    zip.abort(error);
    // Let the writer release what it holds (database cursors, open files).
    await entries.return(undefined as never).catch(() => undefined);
    throw error;
  }
}

async function addEntry(
  zip: ZipWriter,
  entry: ExportEntry,
  options: WriteExportZipOptions,
): Promise<void> {
  if (entry.type === "image") {
    if (!options.openImage)
      throw new Error(`${entry.path}: the export includes images but no openImage was given`);
    await zip.addStream(entry.path, await options.openImage(entry));
  } else if (typeof entry.body === "string" || entry.body instanceof Uint8Array) {
    await zip.addBuffer(entry.path, entry.body);
  } else {
    await zip.addStream(entry.path, entry.body, { compress: true });
  }
}
