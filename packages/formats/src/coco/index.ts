// The coco format module (D7).
import type { FormatModule } from "../core/types";
import { readCoco } from "./read";
import { writeCoco } from "./write";

export const cocoFormat: FormatModule = {
  id: "coco",
  write: writeCoco,
  read: readCoco,
  // Images first (when included), then one pass per subset file.
  passes: (options) => (options.include_images ? 2 : 1),
  description:
    "COCO instances JSON (boxes, polygons, RLE for holes, keypoints) for detectron2, mmdetection, pycocotools and CVAT import.",
};
