// Figures a reliability test measured (cases run, kills, peak memory…), for
// docs/reliability.md. Each test file records under its own name; scripts/reliability.ts
// collects them after the run. Without FIGURES_DIR (a plain `vitest run`) nothing is written.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FIGURES_DIR } from "./env";

export type Figures = Record<string, string | number | boolean>;

export function recordFigures(testFile: string, figures: Figures): void {
  if (!FIGURES_DIR) return;
  mkdirSync(FIGURES_DIR, { recursive: true });
  const path = join(FIGURES_DIR, `${testFile}.json`);
  let earlier: Figures = {};
  try {
    earlier = JSON.parse(readFileSync(path, "utf8")) as Figures;
  } catch {
    // First figures of this file.
  }
  writeFileSync(path, JSON.stringify({ ...earlier, ...figures }, null, 2));
}
