// The pascal_voc format module (VOC detection XML with devkit coordinates) for the registry.
import type { FormatModule } from "../core/types";
import { readPascalVoc } from "./read";
import { writePascalVoc } from "./write";

export const pascalVocFormat: FormatModule = {
  id: "pascal_voc",
  write: writePascalVoc,
  read: readPascalVoc,
  // Annotations (and images) in one pass, then the ImageSets lists.
  passes: () => 2,
  description:
    "Pascal VOC detection: Annotations/<id>.xml (1-based integer boxes), JPEGImages/, ImageSets/Main/<subset>.txt, labelmap.txt",
};
