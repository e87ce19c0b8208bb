// The `demo` dataset a newcomer can export at once: small street scenes drawn at first start
// (no downloads) with boxes, polygons (one with a hole), a polyline, keypoint instances, all
// three statuses, a train/val split and an image without annotations.
import {
  createDataset,
  getDataset,
  insertAnnotations,
  insertImages,
  replaceClasses,
  type Db,
  type ImageAnnotations,
  type NewImage,
} from "@pictograph/db";
import {
  ClassListSchema,
  type AnnotationInput,
  type ImageStatus,
  type Split,
} from "@pictograph/schema";
import { AnnotationSchema } from "@pictograph/schema";
import { encodePng } from "@pictograph/formats";
import type { BlobStore } from "@pictograph/storage";
import { randomUUID } from "node:crypto";

export const DEMO_DATASET = "demo";
const W = 320;
const H = 240;

const CLASSES = ClassListSchema.parse([
  {
    name: "car",
    color: "#e6194b",
    attributes: [
      { kind: "select", name: "color", options: ["red", "blue", "gray"], default: "red" },
      { kind: "checkbox", name: "parked" },
    ],
  },
  { name: "person", color: "#4363d8", keypoints: ["head", "left_hand", "right_hand"] },
  {
    name: "building",
    color: "#f58231",
    attributes: [{ kind: "number", name: "floors", min: 1, max: 200 }],
  },
  { name: "lane", color: "#ffe119" },
  { name: "traffic light", color: "#3cb44b", attributes: [{ kind: "text", name: "note" }] },
]);

type Rgb = [number, number, number];
const CAR_COLORS: Record<"red" | "blue" | "gray", Rgb> = {
  red: [200, 40, 50],
  blue: [40, 80, 200],
  gray: [120, 120, 130],
};

class Canvas {
  readonly pixels = new Uint8Array(W * H * 3);
  fill(x0: number, y0: number, w: number, h: number, [r, g, b]: Rgb) {
    for (let y = Math.max(0, Math.floor(y0)); y < Math.min(H, y0 + h); y++)
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(W, x0 + w); x++)
        this.set(x, y, [r, g, b]);
  }
  set(x: number, y: number, rgb: Rgb) {
    const i = (y * W + x) * 3;
    this.pixels.set(rgb, i);
  }
  dot(cx: number, cy: number, radius: number, rgb: Rgb) {
    for (let y = -radius; y <= radius; y++)
      for (let x = -radius; x <= radius; x++)
        if (
          x * x + y * y <= radius * radius &&
          cx + x >= 0 &&
          cx + x < W &&
          cy + y >= 0 &&
          cy + y < H
        )
          this.set(Math.round(cx + x), Math.round(cy + y), rgb);
  }
  line(x0: number, y0: number, x1: number, y1: number, rgb: Rgb, width = 2) {
    const steps = Math.ceil(Math.hypot(x1 - x0, y1 - y0));
    for (let i = 0; i <= steps; i++)
      this.dot(x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps, width, rgb);
  }
  png(): Uint8Array {
    return encodePng({ width: W, height: H, channels: 3, pixels: this.pixels });
  }
}

/** A deterministic pseudo-random sequence, so every first start draws the same dataset. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

type DemoImage = { record: NewImage; bytes: Uint8Array; annotations: AnnotationInput[] };

function drawScene(index: number): DemoImage {
  const rand = random(index + 7);
  const canvas = new Canvas();
  const night = index % 5 === 4;
  for (let y = 0; y < 150; y++) {
    const t = y / 150;
    const sky: Rgb = night ? [20, 24 + t * 20, 60 + t * 30] : [110 + t * 80, 170 + t * 50, 230];
    canvas.fill(0, y, W, 1, sky.map(Math.round) as Rgb);
  }
  canvas.fill(0, 150, W, 90, night ? [45, 45, 50] : [90, 92, 96]);
  const annotations: AnnotationInput[] = [];

  // A building with a window: a polygon with a hole.
  const bx = 10 + Math.floor(rand() * 140);
  const bw = 70 + Math.floor(rand() * 40);
  const bh = 70 + Math.floor(rand() * 50);
  canvas.fill(bx, 150 - bh, bw, bh, night ? [70, 60, 55] : [180, 140, 110]);
  canvas.fill(bx + 20, 150 - bh + 20, 30, 25, night ? [250, 220, 120] : [150, 200, 230]);
  annotations.push({
    type: "polygon",
    class_name: "building",
    attributes: { floors: 2 + (index % 6) },
    polygon: {
      paths: [
        [
          { x: bx, y: 150 - bh },
          { x: bx + bw, y: 150 - bh },
          { x: bx + bw, y: 150 },
          { x: bx, y: 150 },
        ],
        [
          { x: bx + 20, y: 150 - bh + 20 },
          { x: bx + 50, y: 150 - bh + 20 },
          { x: bx + 50, y: 150 - bh + 45 },
          { x: bx + 20, y: 150 - bh + 45 },
        ],
      ],
    },
  });

  // The lane marking: a polyline.
  const lane = [
    { x: 0, y: 205 + rand() * 10 },
    { x: 160, y: 195 + rand() * 10 },
    { x: 319, y: 200 + rand() * 10 },
  ];
  canvas.line(lane[0]!.x, lane[0]!.y, lane[1]!.x, lane[1]!.y, [240, 220, 60], 1);
  canvas.line(lane[1]!.x, lane[1]!.y, lane[2]!.x, lane[2]!.y, [240, 220, 60], 1);
  annotations.push({ type: "polyline", class_name: "lane", polyline: { path: lane } });

  // Cars: boxes with attributes; the last one may run off the right edge.
  const cars = 1 + Math.floor(rand() * 3);
  for (let c = 0; c < cars; c++) {
    const color = (["red", "blue", "gray"] as const)[Math.floor(rand() * 3)]!;
    const x = 20 + c * 100 + Math.floor(rand() * 40);
    const y = 160 + Math.floor(rand() * 30);
    canvas.fill(x, y, 60, 28, CAR_COLORS[color]);
    canvas.fill(x + 10, y - 10, 36, 12, CAR_COLORS[color]);
    canvas.dot(x + 12, y + 28, 5, [20, 20, 20]);
    canvas.dot(x + 48, y + 28, 5, [20, 20, 20]);
    annotations.push({
      type: "bbox",
      class_name: "car",
      attributes: { color, parked: c % 2 === 0 },
      bbox: { x, y: y - 10, w: 60, h: 43 },
    });
  }

  // A person: a box and a keypoint instance of three joints.
  if (index % 3 !== 2) {
    const px = 200 + Math.floor(rand() * 90);
    const py = 120 + Math.floor(rand() * 20);
    canvas.line(px, py + 12, px, py + 40, [30, 30, 40], 2);
    canvas.line(px, py + 20, px - 12, py + 32, [30, 30, 40], 1);
    canvas.line(px, py + 20, px + 12, py + 32, [30, 30, 40], 1);
    canvas.dot(px, py + 6, 6, [240, 200, 170]);
    annotations.push({
      type: "bbox",
      class_name: "person",
      bbox: { x: px - 14, y: py - 1, w: 28, h: 43 },
    });
    const joints = {
      head: [px, py + 6],
      left_hand: [px - 12, py + 32],
      right_hand: [px + 12, py + 32],
    } as const;
    for (const [joint, [x, y]] of Object.entries(joints))
      annotations.push({
        type: "keypoint",
        class_name: "person",
        keypoint: { x, y },
        instance_id: 1,
        joint,
      });
  }

  if (index % 4 === 0) {
    canvas.fill(290, 60, 10, 28, [30, 30, 30]);
    canvas.dot(295, 67, 3, [230, 40, 40]);
    canvas.dot(295, 80, 3, [40, 200, 80]);
    annotations.push({
      type: "bbox",
      class_name: "traffic light",
      attributes: { note: index % 8 === 0 ? "red & green <both lit>" : "" },
      bbox: { x: 289, y: 59, w: 12, h: 30 },
    });
  }

  const status: ImageStatus = index < 24 ? "complete" : index < 30 ? "in_progress" : "new";
  const split: Split | null = index % 6 === 5 ? null : index % 4 === 3 ? "val" : "train";
  const folder = night ? "night" : index % 2 ? "day-east" : "day-west";
  return {
    record: {
      path: `${folder}/scene-${String(index + 1).padStart(2, "0")}.png`,
      width: W,
      height: H,
      status,
      split,
    },
    bytes: canvas.png(),
    annotations,
  };
}

function emptyStreet(): DemoImage {
  const canvas = new Canvas();
  canvas.fill(0, 0, W, 150, [150, 190, 230]);
  canvas.fill(0, 150, W, 90, [90, 92, 96]);
  return {
    record: { path: "empty-street.png", width: W, height: H, status: "complete", split: "train" },
    bytes: canvas.png(),
    annotations: [],
  };
}

/** Creates the demo dataset in the workspace unless it exists. Returns whether it did. */
export async function ensureDemoDataset(
  db: Db,
  storage: BlobStore,
  workspaceId: string,
): Promise<boolean> {
  if (await getDataset(db, { workspaceId, name: DEMO_DATASET })) return false;
  const scenes = [...Array.from({ length: 35 }, (_, i) => drawScene(i)), emptyStreet()];
  const stored = await Promise.all(
    scenes.map(async (scene) => {
      const blobKey = `images/demo/${randomUUID()}`;
      const file = await storage.put(blobKey, scene.bytes, { contentType: "image/png" });
      return {
        ...scene.record,
        blobKey,
        sha256: file.sha256,
        sizeBytes: file.size,
        mime: "image/png",
      };
    }),
  );
  await db.transaction(async (tx) => {
    const dataset = await createDataset(tx, {
      workspaceId,
      name: DEMO_DATASET,
      description:
        "Generated street scenes: boxes, polygons with holes, lanes and keypoints. Export it in any format.",
    });
    await replaceClasses(tx, { datasetId: dataset.id, classes: CLASSES });
    await insertImages(tx, { datasetId: dataset.id, images: stored });
    const annotations: ImageAnnotations[] = scenes.map((scene) => ({
      path: scene.record.path,
      annotations: scene.annotations.map((a) => AnnotationSchema.parse(a)),
    }));
    await insertAnnotations(tx, { datasetId: dataset.id, images: annotations });
  });
  return true;
}
