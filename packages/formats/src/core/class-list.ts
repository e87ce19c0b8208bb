// D1: the export's class list. Without a filter it is the dataset's whole list in order;
// with one, only the named classes, in dataset order, re-indexed. Never first-seen order.
import type { ClassDef } from "@pictograph/schema";

export type ExportClasses = {
  classes: ClassDef[];
  /** Position of a class in the export's list (0-based), or undefined when filtered out. */
  indexOf(name: string): number | undefined;
};

export class UnknownClassError extends Error {
  constructor(
    public readonly unknown: string[],
    known: string[],
  ) {
    super(
      `class_filter names ${unknown.length === 1 ? "a class" : "classes"} the dataset does not have: ${unknown
        .map((n) => JSON.stringify(n))
        .join(", ")} (classes: ${known.map((n) => JSON.stringify(n)).join(", ") || "none"})`,
    );
  }
}

export function exportClasses(all: ClassDef[], filter: string[] | null): ExportClasses {
  if (filter) {
    const known = new Set(all.map((c) => c.name));
    const unknown = filter.filter((name) => !known.has(name));
    if (unknown.length) throw new UnknownClassError(unknown, [...known]);
  }
  const wanted = filter ? new Set(filter) : null;
  const classes = wanted ? all.filter((c) => wanted.has(c.name)) : all;
  const index = new Map(classes.map((c, i) => [c.name, i]));
  return { classes, indexOf: (name) => index.get(name) };
}
