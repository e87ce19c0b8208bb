// How readers report what they could not import (D14): one ImportProblem per bad file, row
// or element, never an exception. Pure: no I/O.
import {
  describeZodError,
  DatasetImageSchema,
  type DatasetImage,
  type ImportProblem,
} from "@pictograph/schema";

export function problem(
  file: string,
  reason: string,
  where: { line?: number | null; element?: string | null } = {},
): ImportProblem {
  return { file, line: where.line ?? null, element: where.element ?? null, reason };
}

/** The image as the canonical schema accepts it, or null after reporting why not. */
export function checkImage(
  candidate: unknown,
  file: string,
  problems: ImportProblem[],
  /** The element's name, or where the image was given. */
  where: string | null | { line?: number | null; element?: string | null } = null,
): DatasetImage | null {
  const parsed = DatasetImageSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  const location = typeof where === "string" || where === null ? { element: where } : where;
  problems.push(
    problem(file, `image not imported: ${describeZodError(parsed.error).message}`, location),
  );
  return null;
}

/** Message of anything thrown, for a problem's reason. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const isFiniteNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value);
