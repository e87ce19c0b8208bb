// The csv format module (D12).
import type { FormatModule } from "../core/types";
import { readCsv } from "./read";
import { writeCsv } from "./write";

export const csvFormat: FormatModule = {
  id: "csv",
  write: writeCsv,
  read: readCsv,
  passes: (options) => (options.include_images ? 2 : 1),
  description:
    "Flat CSV of boxes (filename,width,height,class,xmin,ymin,xmax,ymax) for TensorFlow Object Detection and spreadsheets.",
};
