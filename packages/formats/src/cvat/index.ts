// The cvat format module (CVAT for images 1.1 XML) for the registry.
import type { FormatModule } from "../core/types";
import { readCvat } from "./read";
import { writeCvat } from "./write";

export const cvatFormat: FormatModule = {
  id: "cvat",
  write: writeCvat,
  read: readCvat,
  passes: (options) => (options.include_images ? 2 : 1),
  description:
    "CVAT for images 1.1: annotations.xml with labels and attributes in <meta>, images/<path>",
};
