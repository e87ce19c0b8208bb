// PostgreSQL text and jsonb cannot hold U+0000, so input carrying it would fail in the
// database as a 500. It is refused up front instead, as a 422 naming the field. Pure.
import { fail } from "./errors";

/** The dotted path of the first string (or key) in `value` holding U+0000, or null. */
export function findNulCharacter(value: unknown, path = ""): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findNulCharacter(item, path ? `${path}.${i}` : String(i));
      if (found !== null) return found;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (key.includes("\u0000")) return at;
      const found = findNulCharacter(item, at);
      if (found !== null) return found;
    }
  }
  return null;
}

export function refuseNulCharacters(value: unknown, name = ""): void {
  const at = findNulCharacter(value, name);
  if (at === null) return;
  const message = `${at || "input"} must not contain the NUL character (U+0000)`;
  fail("validation_error", message, { issues: [{ path: at, message }] });
}
