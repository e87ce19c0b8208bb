// Name and path rules shared by every surface (API, SDK, CLI, UI, importers), so each one
// refuses the same input with the same sentence. Pure: no I/O.
import { z } from "zod";

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function slugSchema(kind: string) {
  return z.string({ error: `${kind} name must be a string` }).regex(SLUG, {
    error: `${kind} name must be 1–64 characters of a-z, A-Z, 0-9, '.', '_' or '-', starting with a letter or digit`,
  });
}

export const DatasetNameSchema = slugSchema("dataset");
export const ExportNameSchema = slugSchema("export");
export const WorkspaceNameSchema = slugSchema("workspace");

// Control characters (C0, DEL, C1) and lone surrogates cannot be shown or written to XML.
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;

export const ClassNameSchema = z
  .string({ error: "class name must be a string" })
  .refine((name) => [...name].length >= 1 && [...name].length <= 120, {
    error: "class name must be 1–120 characters",
  })
  .refine((name) => !UNPRINTABLE.test(name), {
    error: "class name must not contain control characters",
  })
  .refine((name) => name.trim() === name, {
    error: "class name must not start or end with white space",
  });

export const MAX_IMAGE_PATH_LENGTH = 1024;

/** Why `path` is not a valid image path (FORMATS.md D2), or null when it is. */
export function imagePathProblem(path: string): string | null {
  if (path.length === 0) return "image path must not be empty";
  if (path.length > MAX_IMAGE_PATH_LENGTH)
    return `image path must be at most ${MAX_IMAGE_PATH_LENGTH} characters`;
  if (UNPRINTABLE.test(path)) return "image path must not contain control characters";
  if (path.includes("\\")) return "image path must use '/' as separator, not '\\'";
  if (path.startsWith("/")) return "image path must be relative (no leading '/')";
  if (/^[A-Za-z]:/.test(path)) return "image path must be relative (no drive letter)";
  const segments = path.split("/");
  if (segments.some((s) => s === ""))
    return "image path must not contain empty folders ('//' or a trailing '/')";
  if (segments.some((s) => s === "." || s === ".."))
    return "image path must not contain '.' or '..' folders";
  if (segments.some((s) => Buffer.byteLength(s) > 255))
    return "each folder or file name in an image path must be at most 255 bytes";
  return null;
}

export const ImagePathSchema = z
  .string({ error: "image path must be a string" })
  .superRefine((path, ctx) => {
    const problem = imagePathProblem(path);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** `batch1/x.jpg` → `batch1/x`: what YOLO, VOC and LabelMe pair files by (D2). */
export function pathStem(path: string): string {
  const slash = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  return dot > slash + 1 ? path.slice(0, dot) : path;
}

/** `batch1/x.jpg` → `x.jpg` */
export function pathBaseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** `batch1/x.jpg` → `.jpg` (empty when there is none) */
export function pathExtension(path: string): string {
  const base = pathBaseName(path);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot) : "";
}
