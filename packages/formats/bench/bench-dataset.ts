// The benchmark's dataset: N images × 10 boxes, generated on the fly and the same on every
// pass and every run (each image comes from its own seeded generator), so no run holds the
// whole dataset and every format sees identical input. It stands in for the exporter's
// database cursor; it must never keep what it has yielded.
import {
  ClassListSchema,
  ExportOptionsSchema,
  type Annotation,
  type ClassDef,
  type DatasetImage,
  type Format,
  type Split,
} from "@pictograph/schema";
import type { ExportSource, ImagePass, SplitCounts } from "../src/core/types";

export const BOXES_PER_IMAGE = 10;

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
function random(seed: number): () => number {
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
export function splitOf(index: number): Split | null {
  const bucket = index % 50;
  if (bucket < 40) return "train";
  if (bucket < 45) return "val";
  if (bucket < 49) return "test";
  return null;
}

export function benchImage(index: number): DatasetImage {
  const next = random(index * 2654435761 + 1);
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
  return {
    path: `batch_${String(Math.floor(index / 1000)).padStart(3, "0")}/img_${String(index).padStart(6, "0")}.jpg`,
    width,
    height,
    status: "complete",
    split: splitOf(index),
    tags: [],
    annotations,
  };
}

export function benchSplitCounts(images: number): SplitCounts {
  const counts: SplitCounts = { train: 0, val: 0, test: 0, none: 0 };
  for (let i = 0; i < images; i++) counts[splitOf(i) ?? "none"]++;
  return counts;
}

export function benchSource(images: number, format: Format): ExportSource {
  return {
    dataset: { name: "bench" },
    classes: benchClasses,
    options: ExportOptionsSchema.parse({ format, include_images: false, status_filter: "all" }),
    splitCounts: benchSplitCounts(images),
    exportedAt: "2026-01-02T03:04:05.000Z",
    async *images(pass: ImagePass = {}) {
      for (let i = 0; i < images; i++) {
        if (pass.split !== undefined && splitOf(i) !== pass.split) continue;
        yield benchImage(i);
      }
    },
  };
}

/** A YOLO-style label file for image `index`: the same small text entries both ZIP writers
 * get in the writer comparison, independent of any format's code. */
export function benchLabelText(index: number): string {
  const image = benchImage(index);
  let text = "";
  for (const annotation of image.annotations) {
    if (annotation.type !== "bbox") continue;
    const { x, y, w, h } = annotation.bbox;
    const cls = CLASS_NAMES.indexOf(annotation.class_name);
    text += `${cls} ${((x + w / 2) / image.width).toFixed(6)} ${((y + h / 2) / image.height).toFixed(6)} ${(w / image.width).toFixed(6)} ${(h / image.height).toFixed(6)}\n`;
  }
  return text;
}
