// The exports benchmark's data: generated images × 10 boxes (the same on every run: each
// image comes from its own seeded generator), stored through the db package's bulk inserts,
// and optionally a ~200 KB JPEG-shaped file per image in a BlobStore. It must never hold a
// whole 100k-image dataset in memory: images are made and inserted a chunk at a time.
import {
  createDataset,
  insertAnnotations,
  insertImages,
  replaceClasses,
  type Db,
  type NewImage,
} from "@pictograph/db";
import { ClassListSchema, type Annotation, type ClassDef, type Split } from "@pictograph/schema";
import type { BlobStore } from "@pictograph/storage";
import { randomBytes } from "node:crypto";

export const BOXES_PER_IMAGE = 10;
/** Images per insertImages / insertAnnotations call (each sends 5,000 rows per statement). */
const IMAGES_PER_CALL = 10_000;
/** Image files stored at once while seeding. */
const PUTS_IN_FLIGHT = 8;

const CLASS_NAMES = [
  "car",
  "person",
  "bicycle",
  "truck",
  "bus",
  "traffic light",
  "dog",
  "stop sign",
  "bench",
  "bird",
];
const PALETTE = [
  "#e6194b",
  "#3cb44b",
  "#ffe119",
  "#4363d8",
  "#f58231",
  "#911eb4",
  "#46f0f0",
  "#f032e6",
  "#bcf60c",
  "#fabebe",
];
const SIZES = [
  [1920, 1080],
  [1280, 720],
  [640, 480],
  [4032, 3024],
] as const;

export const benchClasses: ClassDef[] = ClassListSchema.parse(
  CLASS_NAMES.map((name, i) => ({ name, color: PALETTE[i] })),
);

/** mulberry32: tiny, fast and good enough to spread boxes around. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 80% train, 10% val, 8% test, 2% without a split. */
function splitOf(index: number): Split | null {
  const bucket = index % 50;
  if (bucket < 40) return "train";
  if (bucket < 45) return "val";
  if (bucket < 49) return "test";
  return null;
}

type GeneratedImage = { row: NewImage; annotations: Annotation[] };

function generateImage(index: number): GeneratedImage {
  const next = seededRandom(index * 2654435761 + 1);
  const [width, height] = SIZES[index % SIZES.length]!;
  const annotations: Annotation[] = [];
  for (let k = 0; k < BOXES_PER_IMAGE; k++) {
    const w = Math.round((0.05 + next() * 0.3) * width * 100) / 100;
    const h = Math.round((0.05 + next() * 0.3) * height * 100) / 100;
    annotations.push({
      type: "bbox",
      class_name: CLASS_NAMES[Math.floor(next() * CLASS_NAMES.length)]!,
      bbox: {
        x: Math.round(next() * (width - w) * 100) / 100,
        y: Math.round(next() * (height - h) * 100) / 100,
        w,
        h,
      },
      attributes: {},
      confidence: null,
      occluded: false,
      z_order: 0,
    });
  }
  const path = `batch_${String(Math.floor(index / 1000)).padStart(3, "0")}/img_${String(index).padStart(6, "0")}.jpg`;
  return {
    row: { path, width, height, status: "complete", split: splitOf(index), tags: [] },
    annotations,
  };
}

/**
 * JPEG-shaped bytes of about `size`: SOI, a baseline frame header with the image's size, a
 * scan header, random entropy-coded data, EOI. Enough for a ZIP writer and for `file`; no
 * decoder would show a picture, and nothing in an export decodes one.
 */
export function jpegShapedBytes(width: number, height: number, size: number): Buffer {
  const sof0 = [
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    0x01,
    0x22,
    0x00,
    0x02,
    0x11,
    0x01,
    0x03,
    0x11,
    0x01,
  ];
  const sos = [0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00];
  const head = Buffer.from([0xff, 0xd8, ...sof0, ...sos]);
  return Buffer.concat([
    head,
    randomBytes(Math.max(0, size - head.length - 2)),
    Buffer.from([0xff, 0xd9]),
  ]);
}

export type SeededDataset = {
  datasetId: string;
  name: string;
  images: number;
  annotations: number;
  /** Wall time of insertImages, insertAnnotations and (with files) the file puts. */
  imagesMs: number;
  annotationsMs: number;
  filesMs: number;
  fileBytes: number;
  /** Where the files are on disk under the store's root (with files only). */
  fileKeyPrefix: string | null;
};

/**
 * A dataset of `images` generated images × 10 boxes. With `files`, each image also gets a
 * stored file of 180–220 KB under `images/<dataset id>/<n>.jpg`, as an upload would.
 */
export async function seedDataset(
  db: Db,
  params: { workspaceId: string; name: string; images: number; files?: { storage: BlobStore } },
): Promise<SeededDataset> {
  const datasetId = (
    await createDataset(db, { workspaceId: params.workspaceId, name: params.name })
  ).id;
  await replaceClasses(db, { datasetId, classes: benchClasses });
  const seeded: SeededDataset = {
    datasetId,
    name: params.name,
    images: params.images,
    annotations: 0,
    imagesMs: 0,
    annotationsMs: 0,
    filesMs: 0,
    fileBytes: 0,
    fileKeyPrefix: params.files ? `images/${datasetId}` : null,
  };
  for (let start = 0; start < params.images; start += IMAGES_PER_CALL) {
    const count = Math.min(IMAGES_PER_CALL, params.images - start);
    const chunk = Array.from({ length: count }, (_, i) => generateImage(start + i));
    if (params.files) {
      const began = performance.now();
      await storeFiles(params.files.storage, datasetId, start, chunk, seeded);
      seeded.filesMs += performance.now() - began;
    }
    let began = performance.now();
    await insertImages(db, { datasetId, images: chunk.map((image) => image.row) });
    seeded.imagesMs += performance.now() - began;
    began = performance.now();
    const inserted = await insertAnnotations(db, {
      datasetId,
      images: chunk.map((image) => ({ path: image.row.path, annotations: image.annotations })),
    });
    seeded.annotationsMs += performance.now() - began;
    seeded.annotations += inserted.annotations;
  }
  return seeded;
}

async function storeFiles(
  storage: BlobStore,
  datasetId: string,
  firstIndex: number,
  chunk: GeneratedImage[],
  seeded: SeededDataset,
): Promise<void> {
  let next = 0;
  const putOne = async () => {
    for (let i = next++; i < chunk.length; i = next++) {
      const image = chunk[i]!;
      const size = 180_000 + Math.floor(seededRandom(firstIndex + i)() * 40_000);
      const bytes = jpegShapedBytes(image.row.width, image.row.height, size);
      const key = `images/${datasetId}/${firstIndex + i}.jpg`;
      const stored = await storage.put(key, bytes, { contentType: "image/jpeg" });
      Object.assign(image.row, {
        blobKey: key,
        sha256: stored.sha256,
        sizeBytes: stored.size,
        mime: "image/jpeg",
      } satisfies Partial<NewImage>);
      seeded.fileBytes += stored.size;
    }
  };
  await Promise.all(Array.from({ length: PUTS_IN_FLIGHT }, putOne));
}
