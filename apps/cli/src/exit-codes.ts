// Every exit code the CLI uses, in one place (STYLE.md item 12).
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  exportFailed: 3,
  waitTimedOut: 124,
} as const;

/** An error whose message is already one line a user can act on. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
  }
}
