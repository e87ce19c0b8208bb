// The format registry: a format id (as the API, SDK and CLI spell it) → its writer, reader
// and description. The exporter, importer and the CLI's convert look formats up here only.
import type { Format } from "@pictograph/schema";
import { cocoFormat } from "./coco";
import type { FormatModule } from "./core/types";
import { csvFormat } from "./csv";
import { cvatFormat } from "./cvat";
import { labelmeFormat } from "./labelme";
import { pascalVocFormat } from "./pascal_voc";
import { pictographFormat } from "./pictograph";
import { yoloFormat } from "./yolo";

// A full record: a format without a module fails typecheck.
export const formatModules: Record<Format, FormatModule> = {
  pictograph: pictographFormat,
  coco: cocoFormat,
  yolo: yoloFormat,
  cvat: cvatFormat,
  pascal_voc: pascalVocFormat,
  labelme: labelmeFormat,
  csv: csvFormat,
};

export class UnsupportedFormatError extends Error {
  constructor(public readonly format: string) {
    super(
      `unknown format ${JSON.stringify(format)}: use one of ${Object.keys(formatModules).join(", ")}`,
    );
  }
}

export function getFormat(id: string): FormatModule {
  if (!Object.hasOwn(formatModules, id)) throw new UnsupportedFormatError(id);
  return formatModules[id as Format];
}
