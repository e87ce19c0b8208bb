// Key rules shared by every driver, so a key accepted by one is accepted by all and can never
// climb out of a local root. Pure: no I/O.
import { InvalidKeyError } from "./storage-errors";

/** The local driver keeps in-flight writes here; refused on every driver to keep them alike. */
export const RESERVED_TEMP_SEGMENT = ".tmp";

const MAX_KEY_BYTES = 1024; // S3's limit
const CONTROL_CHARACTERS = /\p{Cc}/u;

function checkCharacters(value: string): void {
  if (value.startsWith("/")) throw new InvalidKeyError(value, "must be relative (no leading '/')");
  if (value.includes("\\")) throw new InvalidKeyError(value, "must use '/' separators, not '\\'");
  if (CONTROL_CHARACTERS.test(value)) {
    throw new InvalidKeyError(value, "must not contain control characters");
  }
  if (Buffer.byteLength(value) > MAX_KEY_BYTES) {
    throw new InvalidKeyError(value, `must be at most ${MAX_KEY_BYTES} bytes`);
  }
}

function checkSegment(value: string, segment: string, index: number): void {
  if (segment === "") throw new InvalidKeyError(value, "must not contain empty path segments");
  if (segment === "." || segment === "..") {
    throw new InvalidKeyError(value, "must not contain '.' or '..' segments");
  }
  if (index === 0 && segment === RESERVED_TEMP_SEGMENT) {
    throw new InvalidKeyError(value, `'${RESERVED_TEMP_SEGMENT}/' is reserved for temporary files`);
  }
}

/** Throws InvalidKeyError unless `key` is a non-empty relative POSIX path without dot segments. */
export function assertValidKey(key: string): void {
  if (typeof key !== "string" || key === "") throw new InvalidKeyError(String(key), "is empty");
  checkCharacters(key);
  key.split("/").forEach((segment, index) => checkSegment(key, segment, index));
}

/** Like assertValidKey, but `""` (everything) and a partial or `/`-terminated last segment pass. */
export function assertValidPrefix(prefix: string): void {
  if (typeof prefix !== "string") throw new InvalidKeyError(String(prefix), "is not a string");
  if (prefix === "") return;
  checkCharacters(prefix);
  const segments = prefix.split("/");
  const last = segments.pop() ?? "";
  segments.forEach((segment, index) => checkSegment(prefix, segment, index));
  if (last === "." || last === "..") {
    throw new InvalidKeyError(prefix, "must not contain '.' or '..' segments");
  }
}
