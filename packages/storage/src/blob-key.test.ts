import { describe, expect, it } from "vitest";
import { assertValidKey, assertValidPrefix } from "./blob-key";
import { InvalidKeyError } from "./storage-errors";

describe("assertValidKey", () => {
  it.each([
    "exports/ds/for-yolo.zip",
    "images/ds/3f/3fa9.jpg",
    "a",
    "with space/é.png",
    ".hidden/file",
    "a/.tmp/b",
    "a..b/c",
  ])("accepts %j", (key) => {
    expect(() => assertValidKey(key)).not.toThrow();
  });

  it.each([
    ["", "is empty"],
    ["/etc/passwd", "must be relative"],
    ["a/../../etc/passwd", "'.' or '..' segments"],
    ["..", "'.' or '..' segments"],
    ["a/./b", "'.' or '..' segments"],
    ["a//b", "empty path segments"],
    ["a/", "empty path segments"],
    ["a\\..\\b", "not '\\'"],
    [".tmp/x", "reserved for temporary files"],
    ["a\nb", "control characters"],
    ["k".repeat(1025), "at most 1024 bytes"],
  ])("refuses %j (%s)", (key, reason) => {
    expect(() => assertValidKey(key)).toThrow(InvalidKeyError);
    expect(() => assertValidKey(key)).toThrow(reason);
  });
});

describe("assertValidPrefix", () => {
  it.each(["", "exports/", "exports/ds", "exports/ds/for-"])("accepts %j", (prefix) => {
    expect(() => assertValidPrefix(prefix)).not.toThrow();
  });

  it.each(["/", "../", "a/../", "a/..", "a//", "a\\"])("refuses %j", (prefix) => {
    expect(() => assertValidPrefix(prefix)).toThrow(InvalidKeyError);
  });
});
