// Test support: a dataset of any size, made up: small images in four folders, every status and
// split, 0–2 annotations each (a box, a triangle). For tests only.
import {
  ClassListSchema,
  DatasetImageSchema,
  type Annotation,
  type DatasetImage,
  type ImageStatus,
  type Split,
} from "@pictograph/schema";

const STATUSES: ImageStatus[] = ["complete", "in_progress", "new"];
const SPLITS: Array<Split | null> = ["train", "val", "train", "test"];

export const generatedClasses = ClassListSchema.parse([
  { name: "car", color: "#e6194b" },
  { name: "sign", color: "#3cb44b" },
]);

const common = {
  attributes: {},
  confidence: null,
  occluded: false,
  z_order: 0,
  instance_id: null,
  joint: null,
};

function imageAt(i: number): DatasetImage {
  const annotations: Annotation[] = [];
  if (i % 3 >= 1)
    annotations.push({
      ...common,
      type: "bbox",
      class_name: "car",
      bbox: { x: i % 40, y: 0, w: 12, h: 9 },
    });
  if (i % 3 >= 2)
    annotations.push({
      ...common,
      type: "polygon",
      class_name: "sign",
      polygon: {
        paths: [
          [
            { x: 1, y: 1 },
            { x: 30, y: 2 },
            { x: 20, y: 40 },
          ],
        ],
      },
    });
  return DatasetImageSchema.parse({
    path: `part${i % 4}/img${String(i).padStart(6, "0")}.${i % 5 === 0 ? "png" : "jpg"}`,
    width: 64,
    height: 48,
    status: STATUSES[i % 3],
    split: SPLITS[i % 4],
    annotations,
  });
}

/** `count` images, the same on every call. */
export function generatedImages(count: number): DatasetImage[] {
  return Array.from({ length: count }, (_, i) => imageAt(i));
}
