// D5: the README.txt at the root of every ZIP. Plain text, so no consumer mistakes it for data.
import type { ClassDef } from "@pictograph/schema";
import type { ExportSource, ExportSummary } from "./types";

export type ReadmeInput = {
  format: string;
  source: Pick<ExportSource, "dataset" | "options" | "exportedAt">;
  /** The export's class list (D1 applied) and the number the format gives the first class. */
  classes: ClassDef[];
  indexBase: 0 | 1;
  /** How files are laid out, one line each. */
  layout: string[];
  /** Coordinate base and other conventions, one line each. */
  conventions: string[];
  summary: ExportSummary;
  /** Extra facts a format needs to state (e.g. CSV's images without boxes). */
  notes?: string[];
};

export function readmeText(input: ReadmeInput): string {
  const { source, summary } = input;
  const o = source.options;
  const lines = [
    `Pictograph export of dataset "${source.dataset.name}"`,
    `Format: ${input.format}`,
    `Exported at: ${source.exportedAt}`,
    "",
    "Export parameters",
    `  include_images: ${o.include_images}`,
    `  class_filter: ${o.class_filter ? o.class_filter.map((n) => JSON.stringify(n)).join(", ") : "none (all classes)"}`,
    `  status_filter: ${o.status_filter}`,
    "",
    "Counts",
    `  images: ${summary.images}`,
    `  annotations: ${summary.annotations}`,
    `  image files: ${summary.imageMembers}`,
    "",
    "Layout",
    ...input.layout.map((l) => `  ${l}`),
    "",
    "Conventions",
    ...input.conventions.map((l) => `  ${l}`),
    "",
    `Class mapping (exported index -> dataset class)`,
    ...(input.classes.length
      ? input.classes.map((c, i) => `  ${i + input.indexBase} -> ${JSON.stringify(c.name)}`)
      : ["  (no classes)"]),
    "",
    "Skipped shapes",
    ...(Object.keys(summary.skipped).length
      ? Object.entries(summary.skipped)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([reason, n]) => `  ${n} x ${reason}`)
      : ["  none"]),
  ];
  if (input.notes?.length) lines.push("", "Notes", ...input.notes.map((l) => `  ${l}`));
  return lines.join("\n") + "\n";
}

/** Adds `n` to a skip counter keyed by reason. */
export function countSkip(skipped: Record<string, number>, reason: string, n = 1): void {
  skipped[reason] = (skipped[reason] ?? 0) + n;
}
