// The pictograph format module: canonical, lossless JSON (D6).
import type { FormatModule } from "../core/types";
import { readPictograph } from "./read";
import { writePictograph } from "./write";

export const pictographFormat: FormatModule = {
  id: "pictograph",
  write: writePictograph,
  read: readPictograph,
  passes: () => 1,
  description:
    "Canonical Pictograph JSON: a manifest plus one JSON per image; lossless, for backups and moving datasets between Pictograph instances.",
};
