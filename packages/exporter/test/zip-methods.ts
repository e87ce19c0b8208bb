// Test support: how each member of a ZIP on disk is compressed, as Info-ZIP's `zipinfo` (an
// independent reader) sees it. For tests only.
import { execFileSync } from "node:child_process";

/** Member name → compression method as zipinfo prints it (`stor`, `defN`, `defX`…). */
export function zipMemberMethods(path: string): Map<string, string> {
  // -T: sortable dates; -s: one line per member "perm ver os size type method date time name".
  const text = execFileSync("zipinfo", ["-s", "-T", path], { encoding: "utf8" });
  const methods = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^\S+\s+\S+\s+\S+\s+\d+\s+\S+\s+(\S+)\s+\d{8}\.\d{6}\s(.+)$/.exec(line);
    if (match) methods.set(match[2]!, match[1]!);
  }
  return methods;
}
