// What each export format is for, in one line, and its short label: shown where users pick
// a format (export form, import form). Kept in step with FORMATS.md Part 1.
import type { Format } from "@pictograph/schema";

export const FORMAT_GUIDE: Record<Format, { label: string; line: string }> = {
  pictograph: {
    label: "Pictograph JSON",
    line: "Everything, lossless: classes, attributes, all shapes. Imports back as it was.",
  },
  coco: {
    label: "COCO",
    line: "Detectron2, MMDetection, pycocotools: boxes, polygons (holes as RLE), keypoints.",
  },
  yolo: {
    label: "YOLO",
    line: "Ultralytics training: data.yaml and one .txt per image; boxes only.",
  },
  cvat: {
    label: "CVAT XML",
    line: "CVAT for images 1.1, to review or fix labels in CVAT: boxes, polygons, lines, points.",
  },
  pascal_voc: {
    label: "Pascal VOC",
    line: "One XML per image, 1-based pixel boxes, for classic detection toolkits.",
  },
  labelme: { label: "LabelMe", line: "One JSON beside each image, to edit shapes in LabelMe." },
  csv: {
    label: "CSV",
    line: "One row per box (TensorFlow Object Detection layout); spreadsheets and scripts.",
  },
};
