// How a member name found in an archive becomes a safe relative POSIX path, or why it
// cannot. Shared by the ZIP and directory readers so both refuse the same things. Pure.

export type MemberPath =
  { kind: "file"; path: string } | { kind: "directory" } | { kind: "refused"; reason: string };

/** Backslashes are read as separators (Windows tools write them, FORMATS.md notes Label
 * Studio does); `.` and empty segments are dropped. Refused: `..` segments (zip-slip),
 * absolute paths, drive letters and NUL characters. */
export function normaliseMemberPath(raw: string): MemberPath {
  if (raw.includes("\0")) return { kind: "refused", reason: "name contains a NUL character" };
  const slashed = raw.replaceAll("\\", "/");
  if (slashed.startsWith("/")) return { kind: "refused", reason: "absolute path" };
  if (/^[A-Za-z]:/.test(slashed))
    return { kind: "refused", reason: "absolute path with a drive letter" };
  const segments = slashed.split("/");
  if (segments.includes("..")) return { kind: "refused", reason: "path leaves the archive (..)" };
  const kept = segments.filter((segment) => segment !== "" && segment !== ".");
  if (kept.length === 0 || slashed.endsWith("/")) return { kind: "directory" };
  return { kind: "file", path: kept.join("/") };
}
