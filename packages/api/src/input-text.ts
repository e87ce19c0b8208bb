// PostgreSQL text and jsonb cannot hold U+0000, so input carrying it would fail in the
// database as a 500. It is refused up front instead, as a 422 naming the field. Pure.
import { fail } from "./errors";

type Frame = { value: unknown; key: string | null; parent: Frame | null };

/** The dotted path of the first string (or key) in `value` holding U+0000, or null. Walks
 * with its own stack, not recursion: a body nested 100,000 deep must not overflow the call
 * stack (a 500); paths are built only for the string found, never for every level. */
export function findNulCharacter(value: unknown, path = ""): string | null {
  const stack: Frame[] = [{ value, key: null, parent: null }];
  while (stack.length) {
    const frame = stack.pop()!;
    const node = frame.value;
    if (typeof node === "string") {
      if (node.includes("\u0000")) return pathOf(frame, path);
      continue;
    }
    if (!node || typeof node !== "object") continue;
    const children: Frame[] = [];
    if (Array.isArray(node))
      node.forEach((item, i) => children.push({ value: item, key: String(i), parent: frame }));
    else
      for (const [key, item] of Object.entries(node)) {
        // The key is checked before its value, as a string at the same path.
        children.push({ value: key, key, parent: frame }, { value: item, key, parent: frame });
      }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return null;
}

function pathOf(frame: Frame, base: string): string {
  const keys: string[] = [];
  for (let at: Frame | null = frame; at?.key != null; at = at.parent) keys.push(at.key);
  return keys.reverse().reduce((path, key) => (path ? `${path}.${key}` : key), base);
}

export function refuseNulCharacters(value: unknown, name = ""): void {
  const at = findNulCharacter(value, name);
  if (at === null) return;
  const message = `${at || "input"} must not contain the NUL character (U+0000)`;
  fail("validation_error", message, { issues: [{ path: at, message }] });
}
