// The format registry: a format id (as the API, SDK and CLI spell it) → its writer, reader
// and description. The exporter, importer and the CLI's convert look formats up here only.
import type { Format } from "@pictograph/schema";
import { cocoFormat } from "./coco";
import type { FormatModule } from "./core/types";
import { csvFormat } from "./csv";
import { pictographFormat } from "./pictograph";
import { yoloFormat } from "./yolo";

// Partial until every format has a module: the lead engineer adds `cvat`, `pascal_voc` and
// `labelme` here (from ./cvat, ./pascal_voc, ./labelme), then types this as
// Record<Format, FormatModule> so a missing format fails typecheck.
export const formatModules: Partial<Record<Format, FormatModule>> = {
  pictograph: pictographFormat,
  coco: cocoFormat,
  yolo: yoloFormat,
  csv: csvFormat,
};

export class UnsupportedFormatError extends Error {
  constructor(public readonly format: string) {
    super(`format ${JSON.stringify(format)} has no writer and reader yet`);
  }
}

export function getFormat(id: Format): FormatModule {
  const module = formatModules[id];
  if (!module) throw new UnsupportedFormatError(id);
  return module;
}
