// readExport: a pictograph-format export ZIP (schema pictograph/1) as typed objects, read as
// it streams — from a file path, a download stream or any chunks — one image at a time.
// The layout is FORMATS.md D6: annotations/<image path>.json per image, images/<image path>
// when included, manifest.json (written last) and README.txt.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type {
  Attributes,
  BBox,
  ClassDef,
  ImageStatus,
  Point,
  Polygon,
  Polyline,
  Split,
  StatusFilter,
} from "../dataset-model";
import { PictographError } from "../core/errors";
import { readZipMembers } from "./zip-stream";

export const PICTOGRAPH_SCHEMA = "pictograph/1";

type ExportedAnnotationBase = {
  /** Its position within its image, from 1. */
  id: number;
  /** The class name. */
  name: string;
  confidence: number | null;
  attributes: Attributes;
  occluded: boolean;
  z_order: number;
};

/** One annotation as the pictograph format writes it. */
export type ExportedAnnotation =
  | ({ type: "bbox"; bbox: BBox } & ExportedAnnotationBase)
  | ({ type: "polygon"; polygon: Polygon } & ExportedAnnotationBase)
  | ({ type: "polyline"; polyline: Polyline } & ExportedAnnotationBase)
  | ({
      type: "keypoint";
      keypoint: Point;
      instance_id: number | null;
      joint: string | null;
    } & ExportedAnnotationBase);

/** One image with its annotations: `annotations/<path>.json`. */
export type ExportedImage = {
  /** The file name, e.g. `x.jpg`. */
  image: string;
  /** The folders, e.g. `batch1` ("" at the top). */
  image_path: string;
  /** The image's path in the dataset, e.g. `batch1/x.jpg`. */
  path: string;
  width: number;
  height: number;
  status: ImageStatus;
  split: Split | null;
  tags: string[];
  annotation_count: number;
  annotations: ExportedAnnotation[];
};

/** `manifest.json`: the dataset's facts and the export's parameters and counts. */
export type ExportManifest = {
  schema: typeof PICTOGRAPH_SCHEMA;
  dataset: { name: string };
  exported_at: string;
  export: {
    format: "pictograph";
    include_images: boolean;
    class_filter: string[] | null;
    status_filter: StatusFilter;
  };
  classes: ClassDef[];
  counts: {
    images: number;
    annotations: number;
    image_files: number;
    /** Annotations left out, by reason. */
    skipped: Record<string, number>;
  };
  splits: { train: number; val: number; test: number; none: number };
};

/** What `readExport` yields, in archive order: every image, its file when asked for, and
 * the manifest (last in exports written by Pictograph). */
export type ExportRecord =
  | { type: "image"; image: ExportedImage }
  | { type: "image_file"; path: string; data: Buffer }
  | { type: "manifest"; manifest: ExportManifest };

/** A ZIP file's path, a Node or web stream of its bytes, or any async chunks. */
export type ExportSource =
  string | Readable | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export type ReadExportOptions = {
  /** Also yield each image file's bytes (`image_file` records); default false. */
  image_files?: boolean;
  /** A member larger than this is an error; default 256 MiB. */
  max_member_bytes?: number;
};

/** Reads a pictograph-format export as it streams. Throws PictographError when it is not
 * one (no manifest.json by the end, another schema) or the ZIP is damaged. */
export async function* readExport(
  source: ExportSource,
  options: ReadExportOptions = {},
): AsyncGenerator<ExportRecord, void, undefined> {
  let manifest: ExportManifest | null = null;
  const members = readZipMembers(chunksOf(source), {
    keep: (name) =>
      name === "manifest.json" ||
      (name.startsWith("annotations/") && name.endsWith(".json")) ||
      (options.image_files === true && name.startsWith("images/")),
    maxMemberBytes: options.max_member_bytes,
  });
  for await (const { name, data } of members) {
    if (name.startsWith("images/")) {
      yield { type: "image_file", path: name.slice("images/".length), data };
      continue;
    }
    const doc = parseJson(name, data);
    if (name === "manifest.json") {
      manifest = checkManifest(doc);
      yield { type: "manifest", manifest };
    } else yield { type: "image", image: checkImage(name, doc) };
  }
  if (!manifest) throw new PictographError("not a pictograph export: manifest.json is missing");
}

function chunksOf(source: ExportSource): AsyncIterable<Uint8Array> {
  if (typeof source === "string") return createReadStream(source, { highWaterMark: 256 * 1024 });
  if (source instanceof Readable || Symbol.asyncIterator in source)
    return source as AsyncIterable<Uint8Array>;
  return Readable.fromWeb(source as WebReadableStream<Uint8Array>);
}

function parseJson(name: string, data: Buffer): unknown {
  try {
    return JSON.parse(data.toString("utf8")) as unknown;
  } catch (error) {
    throw new PictographError(`${name} is not valid JSON: ${(error as Error).message}`);
  }
}

function checkManifest(doc: unknown): ExportManifest {
  const manifest = doc as Partial<ExportManifest> | null;
  if (manifest?.schema !== PICTOGRAPH_SCHEMA)
    throw new PictographError(
      `manifest.json has schema ${JSON.stringify(manifest?.schema)}; this reads ${PICTOGRAPH_SCHEMA} exports`,
    );
  if (!Array.isArray(manifest.classes))
    throw new PictographError("manifest.json has no class list");
  return manifest as ExportManifest;
}

function checkImage(name: string, doc: unknown): ExportedImage {
  const image = doc as Partial<ExportedImage> | null;
  if (typeof image?.path !== "string" || !Array.isArray(image.annotations))
    throw new PictographError(
      `${name} is not an image's annotations (no path or annotations list)`,
    );
  return image as ExportedImage;
}
