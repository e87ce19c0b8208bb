// Test support for every package whose tests need the formats (imported as
// `@pictograph/formats/testing`): the golden-file fixture, in-memory export collection, stub
// image bytes, what each format gives back after a round trip, and real fixture ZIPs on disk.
// For tests only: production code never imports this module.
import type { ClassDef, DatasetImage, ExportOptions, Format } from "@pictograph/schema";
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { writeExportZip, type ExportZipResult } from "./archive/write-export-zip";
import type { FormatWriter } from "./core/types";
import { jpegBytes, pngBytes } from "./image-stub";
import { getFormat } from "./registry";
import { FIXTURE_EXPORTED_AT, fixtureClasses, fixtureImages, memorySource } from "./test/fixture";

export {
  FIXTURE_DATASET,
  FIXTURE_EXPORTED_AT,
  fixtureClasses,
  fixtureImages,
  fixtureSource,
  memorySource,
} from "./test/fixture";
export { collectExport, collectedFiles, type CollectedExport } from "./test/collect";
export { jpegBytes, pngBytes, solidPng } from "./image-stub";
export {
  expectedAfterExport,
  importDifferences,
  readAll,
  roundTrip,
  roundTripExpectations,
  roundTripFormats,
  type Expectation,
} from "./export-expectation";

/** The bytes every fixture ZIP carries for an image: the smallest file of its type that
 * measures as the image's width × height (PNG for `.png`, JPEG otherwise). */
export function stubImageBytes(image: Pick<DatasetImage, "path" | "width" | "height">): Uint8Array {
  return image.path.toLowerCase().endsWith(".png")
    ? pngBytes(image.width, image.height)
    : jpegBytes(image.width, image.height);
}

export type FixtureZipOptions = Partial<ExportOptions> & {
  format: Format;
  /** Another dataset instead of the fixture's. */
  images?: DatasetImage[];
  classes?: ClassDef[];
};

/** Writes a real export ZIP of the fixture (every status unless `status_filter` says
 * otherwise), image members holding `stubImageBytes`; byte-identical on every call. */
export async function writeFixtureZip(
  path: string,
  { images = fixtureImages, classes = fixtureClasses, ...options }: FixtureZipOptions,
): Promise<ExportZipResult> {
  const source = memorySource(images, classes, { status_filter: "all", ...options });
  const zip = writeExportZip(getFormat(options.format).write, source, {
    mtime: new Date(FIXTURE_EXPORTED_AT),
    async *openImage(entry) {
      yield stubImageBytes(entry.image);
    },
  });
  await pipeline(zip.stream, createWriteStream(path));
  return zip.done;
}

/** Writes a real ZIP holding exactly `files`, in order: e.g. an export edited to be wrong. */
export async function writeFilesZip(
  path: string,
  files: Record<string, string | Uint8Array>,
): Promise<ExportZipResult> {
  const source = memorySource([], [], {});
  async function* members(): ReturnType<FormatWriter> {
    for (const [member, body] of Object.entries(files)) yield { type: "file", path: member, body };
    return { images: 0, annotations: 0, skipped: {}, imageMembers: 0 };
  }
  const zip = writeExportZip(members, source, { mtime: new Date(FIXTURE_EXPORTED_AT) });
  await pipeline(zip.stream, createWriteStream(path));
  return zip.done;
}
