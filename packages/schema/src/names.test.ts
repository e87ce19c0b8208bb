import { describe, expect, it } from "vitest";
import {
  ClassNameSchema,
  DatasetNameSchema,
  ExportNameSchema,
  ImagePathSchema,
  pathStem,
} from "./names";

const messageOf = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? null : result.error!.issues[0]!.message;

describe("dataset and export names", () => {
  it.each(["a", "my-dataset", "for-yolov8", "v1.2_final", "9lives", "x".repeat(64)])(
    "accepts %j",
    (name) => {
      expect(ExportNameSchema.safeParse(name).success).toBe(true);
    },
  );

  it.each([
    "",
    "x".repeat(65),
    "..",
    ".hidden",
    "-dash",
    "_under",
    "a b",
    "a/b",
    "ä",
    "a\u0000b",
    "naïve",
  ])("refuses %j with the rule in words", (name) => {
    expect(messageOf(ExportNameSchema.safeParse(name))).toBe(
      "export name must be 1–64 characters of a-z, A-Z, 0-9, '.', '_' or '-', starting with a letter or digit",
    );
  });

  it("names the kind of name in the message", () => {
    expect(messageOf(DatasetNameSchema.safeParse(""))).toMatch(/^dataset name must be/);
    expect(messageOf(DatasetNameSchema.safeParse(42))).toBe("dataset name must be a string");
  });
});

describe("class names", () => {
  it.each(['a&b <c>, "d"', "car", "自転車", "🚗 car", "x".repeat(120), "🚗".repeat(120)])(
    "accepts %j",
    (name) => {
      expect(ClassNameSchema.safeParse(name).success).toBe(true);
    },
  );

  it.each([
    ["", "class name must be 1–120 characters"],
    ["x".repeat(121), "class name must be 1–120 characters"],
    ["a\u0007b", "class name must not contain control characters"],
    ["tab\there", "class name must not contain control characters"],
    ["line\nbreak", "class name must not contain control characters"],
    ["\u0085next", "class name must not contain control characters"],
    [" padded", "class name must not start or end with white space"],
  ])("refuses %j", (name, message) => {
    expect(messageOf(ClassNameSchema.safeParse(name))).toBe(message);
  });
});

describe("image paths (FORMATS.md D2)", () => {
  it.each([
    "x.jpg",
    "batch1/x.jpg",
    "a/b/c/d.png",
    "spaces are fine.jpg",
    "ünïcode/画像.png",
    "..x.jpg",
    "x..jpg",
  ])("accepts %j", (path) => {
    expect(ImagePathSchema.safeParse(path).success).toBe(true);
  });

  it.each([
    ["", "image path must not be empty"],
    ["../x.jpg", "image path must not contain '.' or '..' folders"],
    ["a/../../x.jpg", "image path must not contain '.' or '..' folders"],
    ["./x.jpg", "image path must not contain '.' or '..' folders"],
    ["/etc/passwd", "image path must be relative (no leading '/')"],
    ["C:/x.jpg", "image path must be relative (no drive letter)"],
    ["a\\x.jpg", "image path must use '/' as separator, not '\\'"],
    ["a//x.jpg", "image path must not contain empty folders ('//' or a trailing '/')"],
    ["folder/", "image path must not contain empty folders ('//' or a trailing '/')"],
    ["x\u0000.jpg", "image path must not contain control characters"],
    ["x\n.jpg", "image path must not contain control characters"],
    ["a".repeat(1025), "image path must be at most 1024 characters"],
    [
      "a".repeat(256) + ".jpg",
      "each folder or file name in an image path must be at most 255 bytes",
    ],
  ])("refuses %j", (path, message) => {
    expect(messageOf(ImagePathSchema.safeParse(path))).toBe(message);
  });

  it("pairs files by stem", () => {
    expect(pathStem("batch1/x.jpg")).toBe("batch1/x");
    expect(pathStem("a.b/noext")).toBe("a.b/noext");
    expect(pathStem(".hidden")).toBe(".hidden");
    expect(pathStem("x.tar.gz")).toBe("x.tar");
  });
});
