// Test support: compares an export with its golden files byte for byte, or rewrites them
// when UPDATE_GOLDEN=1. Golden files are inspected by hand before they are committed.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { CollectedExport } from "./test/collect";

// eslint-disable-next-line no-restricted-properties -- test support, run only by vitest
export const updatingGolden = process.env.UPDATE_GOLDEN === "1";

/** Every ZIP member in order: files by path, image members with the image they carry. */
export function memberListing(collected: CollectedExport): string {
  return (
    collected.order
      .map((path) =>
        collected.images.has(path)
          ? `image ${path} <- ${collected.images.get(path)}`
          : `file ${path}`,
      )
      .join("\n") + "\n"
  );
}

/** The golden files of one variant: `<dir>/` holds the files, `<dir>.members.txt` the order. */
export function goldenDifferences(dir: string, collected: CollectedExport): string[] {
  const listing = memberListing(collected);
  if (updatingGolden) {
    rmSync(dir, { recursive: true, force: true });
    for (const [path, text] of collected.files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    writeFileSync(`${dir}.members.txt`, listing);
    return [];
  }
  const differences: string[] = [];
  const onDisk = new Map(
    listFiles(dir).map((file) => [relative(dir, file), readFileSync(file, "utf8")]),
  );
  for (const [path, text] of collected.files) {
    const golden = onDisk.get(path);
    if (golden === undefined) differences.push(`${path}: not in the golden files`);
    else if (golden !== text) differences.push(`${path}: differs from the golden file`);
  }
  for (const path of onDisk.keys())
    if (!collected.files.has(path)) differences.push(`${path}: no longer written`);
  if (readFileSync(`${dir}.members.txt`, "utf8") !== listing)
    differences.push("member order differs");
  return differences;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
