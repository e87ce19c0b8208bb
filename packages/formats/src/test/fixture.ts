// The golden-file fixture (issue 3): one small dataset with every case a format can get wrong.
import {
  ClassListSchema,
  DatasetImageSchema,
  ExportOptionsSchema,
  type ClassDef,
  type DatasetImage,
  type ExportOptions,
} from "@pictograph/schema";
import { inPass, type ExportSource, type ImagePass, type SplitCounts } from "../core/types";

export const FIXTURE_DATASET = "fixture";
export const FIXTURE_EXPORTED_AT = "2026-01-02T03:04:05.000Z";

export const fixtureClasses: ClassDef[] = ClassListSchema.parse([
  {
    name: "car",
    color: "#e6194b",
    attributes: [
      { kind: "text", name: "plate" },
      { kind: "number", name: "speed", min: 0, max: 300 },
      { kind: "select", name: "paint", options: ["red", "blue"], default: "red" },
      { kind: "checkbox", name: "parked" },
    ],
  },
  { name: 'a&b <c>, "d"', color: "#3cb44b" },
  { name: "person", color: "#4363d8", keypoints: ["head", "left_hand", "right_hand"] },
  { name: "road", color: "#808080" },
  { name: "unused", color: "#f58231" },
]);

export const fixtureImages: DatasetImage[] = [
  {
    path: "batch1/street.jpg",
    width: 640,
    height: 480,
    status: "complete",
    split: "train",
    tags: ["day"],
    annotations: [
      {
        type: "bbox",
        class_name: "car",
        bbox: { x: 10, y: 20, w: 100.5, h: 50.25 },
        attributes: { plate: "AB & <12>", speed: 42.5, paint: "blue", parked: true },
        confidence: 0.9,
        occluded: true,
        z_order: 1,
      },
      {
        type: "polygon",
        class_name: 'a&b <c>, "d"',
        polygon: {
          paths: [
            [
              { x: 200, y: 100 },
              { x: 300, y: 100 },
              { x: 300, y: 200 },
              { x: 200, y: 200 },
            ],
            [
              { x: 230, y: 130 },
              { x: 270, y: 130 },
              { x: 270, y: 170 },
              { x: 230, y: 170 },
            ],
          ],
        },
      },
      // Touches the right and bottom borders exactly.
      { type: "bbox", class_name: "car", bbox: { x: 540, y: 380, w: 100, h: 100 } },
    ],
  },
  {
    // Same file name as batch1/street.jpg, in another folder.
    path: "batch2/street.jpg",
    width: 800,
    height: 600,
    status: "complete",
    split: "val",
    annotations: [
      // Extends beyond the left and bottom borders: clipped to x 0..90, y 500..600.
      { type: "bbox", class_name: "car", bbox: { x: -10, y: 500, w: 100, h: 200 } },
      {
        type: "polyline",
        class_name: "road",
        polyline: {
          path: [
            { x: 0, y: 300 },
            { x: 400, y: 320 },
            { x: 800, y: 310 },
          ],
        },
      },
      { type: "bbox", class_name: "person", bbox: { x: 300, y: 100, w: 80, h: 200 } },
      {
        type: "keypoint",
        class_name: "person",
        keypoint: { x: 340, y: 110 },
        instance_id: 1,
        joint: "head",
      },
      {
        type: "keypoint",
        class_name: "person",
        keypoint: { x: 310, y: 200 },
        instance_id: 1,
        joint: "left_hand",
      },
      {
        type: "keypoint",
        class_name: "person",
        keypoint: { x: 370, y: 200 },
        instance_id: 1,
        joint: "right_hand",
      },
    ],
  },
  { path: "empty.png", width: 320, height: 240, status: "complete", split: null, annotations: [] },
  {
    path: "batch1/night.jpg",
    width: 640,
    height: 480,
    status: "in_progress",
    split: "train",
    annotations: [
      { type: "bbox", class_name: 'a&b <c>, "d"', bbox: { x: 1.25, y: 2.5, w: 30, h: 40 } },
    ],
  },
  {
    path: "drafts/raw.png",
    width: 100,
    height: 50,
    status: "new",
    split: null,
    annotations: [{ type: "bbox", class_name: "car", bbox: { x: 0, y: 0, w: 100, h: 50 } }],
  },
].map((image) => DatasetImageSchema.parse(image));

/** An ExportSource over in-memory images, filtering as the exporter's SQL does. */
export function memorySource(
  images: DatasetImage[],
  classes: ClassDef[],
  options: Partial<ExportOptions> = {},
  dataset = FIXTURE_DATASET,
): ExportSource {
  const parsed = ExportOptionsSchema.parse(options);
  const selected = images.filter(
    (i) => parsed.status_filter === "all" || i.status === parsed.status_filter,
  );
  const splitCounts: SplitCounts = { train: 0, val: 0, test: 0, none: 0 };
  for (const image of selected) splitCounts[image.split ?? "none"]++;
  return {
    dataset: { name: dataset },
    classes,
    options: parsed,
    splitCounts,
    exportedAt: FIXTURE_EXPORTED_AT,
    async *images(pass?: ImagePass) {
      for (const image of selected) if (inPass(image, pass)) yield image;
    },
  };
}

export function fixtureSource(options: Partial<ExportOptions> = {}): ExportSource {
  return memorySource(fixtureImages, fixtureClasses, { status_filter: "all", ...options });
}
