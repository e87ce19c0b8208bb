// The one error body of every surface: `{ "error": { "code", "message", "details" } }`.
import { z } from "zod";

export const ERROR_CODES = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  timeout: 408,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  validation_error: 422,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export const IssueSchema = z.object({ path: z.string(), message: z.string() });
export type Issue = z.infer<typeof IssueSchema>;

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Issues listed in an error; a body of 100k wrong array items says how many more there are
 * rather than repeating itself for megabytes. */
export const MAX_LISTED_ISSUES = 20;

/** Zod issues as `{ path, message }` pairs (at most MAX_LISTED_ISSUES), with a one-line
 * summary that names each field and counts the issues left out. */
export function describeZodError(error: z.ZodError): { message: string; issues: Issue[] } {
  const issues = error.issues.slice(0, MAX_LISTED_ISSUES).map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  const omitted = error.issues.length - issues.length;
  const message =
    issues
      .map((i) =>
        i.path && !i.message.includes(lastSegment(i.path)) ? `${i.path}: ${i.message}` : i.message,
      )
      .join("; ") + (omitted > 0 ? `; and ${omitted} more problem${omitted === 1 ? "" : "s"}` : "");
  return { message, issues };
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf(".") + 1);
}
