// The yolo format module (D8).
import type { FormatModule } from "../core/types";
import { readYolo } from "./read";
import { writeYolo } from "./write";

export const yoloFormat: FormatModule = {
  id: "yolo",
  write: writeYolo,
  read: readYolo,
  passes: () => 1,
  description:
    "Ultralytics YOLO detection (data.yaml, images/<split>, labels/<split> with normalised boxes) for training YOLOv5–v11.",
};
