// Errors the query functions throw for things a caller did wrong, with messages a user can
// act on. The API maps DbConflictError to 409 and DbReferenceError to 422.

/** A write collided with a unique rule (name taken, path or file stem taken, class in use). */
export class DbConflictError extends Error {
  override name = "DbConflictError";
  constructor(
    message: string,
    /** The constraint that refused the write. */
    readonly constraint: string,
  ) {
    super(message);
  }
}

/** A write named something that does not exist (an image path or class name). */
export class DbReferenceError extends Error {
  override name = "DbReferenceError";
  constructor(
    message: string,
    readonly missing: { imagePaths: string[]; classNames: string[] },
  ) {
    super(message);
  }
}

type PgErrorFields = { code: string; constraint?: string; detail?: string };

/**
 * The PostgreSQL error behind `error`, if any. drizzle wraps driver errors in
 * DrizzleQueryError with the original as `cause`; node-postgres and PGlite both carry
 * `code`, `constraint` and `detail`.
 */
export function postgresErrorOf(error: unknown): PgErrorFields | null {
  for (
    let e: unknown = error, depth = 0;
    e && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return e as PgErrorFields;
  }
  return null;
}

const UNIQUE_VIOLATION = "23505";
const FOREIGN_KEY_VIOLATION = "23503";

/**
 * Runs `write`, turning a unique or foreign-key violation of one of the named constraints
 * into a DbConflictError with the given message. Other errors pass through untouched.
 */
export async function translateConflicts<T>(
  write: Promise<T>,
  messages: Record<string, string | ((detail: string) => string)>,
): Promise<T> {
  try {
    return await write;
  } catch (error) {
    const pg = postgresErrorOf(error);
    if (
      pg &&
      (pg.code === UNIQUE_VIOLATION || pg.code === FOREIGN_KEY_VIOLATION) &&
      pg.constraint
    ) {
      const message = messages[pg.constraint];
      if (message !== undefined) {
        throw new DbConflictError(
          typeof message === "string" ? message : message(pg.detail ?? ""),
          pg.constraint,
        );
      }
    }
    throw error;
  }
}

/** A class list replacement would drop classes that annotations still use. */
export class ClassInUseError extends DbConflictError {
  override name = "ClassInUseError";
  constructor(readonly classes: { name: string; annotationCount: number }[]) {
    const listed = classes.map((c) => `"${c.name}" (${c.annotationCount} annotations)`).join(", ");
    super(
      `cannot remove ${classes.length === 1 ? "class" : "classes"} ${listed}: annotations still use ` +
        `${classes.length === 1 ? "it" : "them"}; delete or relabel those annotations first`,
      "annotations_class_id_fkey",
    );
  }
}

// Connection-level failures: the server is down, restarting or unreachable, not the query's
// fault. SQLSTATE class 08 is "connection exception"; 57P01–57P03 are shutdowns and a
// server still starting up.
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01",
  "57P02",
  "57P03",
]);

/** True when `error` (or one of its causes) says the database could not be reached. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (
    let e: unknown = error, depth = 0;
    e && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (UNREACHABLE_CODES.has(code) || code.startsWith("08")))
      return true;
    const message = (e as { message?: unknown }).message;
    if (
      typeof message === "string" &&
      /^Connection terminated|timeout exceeded when trying to connect/.test(message)
    )
      return true;
  }
  return false;
}
