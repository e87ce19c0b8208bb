// The labelme format module (wkentaro/labelme JSON, one file per image) for the registry.
import type { FormatModule } from "../core/types";
import { readLabelme } from "./read";
import { writeLabelme } from "./write";

export const labelmeFormat: FormatModule = {
  id: "labelme",
  write: writeLabelme,
  read: readLabelme,
  passes: () => 1,
  description:
    "wkentaro/labelme JSON: <path stem>.json beside each image, rectangles, polygons, linestrips and points",
};
