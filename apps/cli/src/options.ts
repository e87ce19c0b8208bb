// Option values checked before anything is sent: a wrong value is a usage error (exit 2)
// naming the option and what it accepts.
import { CliError, EXIT } from "./exit-codes";

export function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(
    `${option} must be one of: ${allowed.join(", ")} (got ${JSON.stringify(value)})`,
    EXIT.usage,
  );
}

export function seconds(option: string, value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0)
    throw new CliError(
      `${option} must be a number of seconds, 0 or more (got ${JSON.stringify(value)})`,
      EXIT.usage,
    );
  return number;
}

export function positiveInteger(
  option: string,
  value: string,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max)
    throw new CliError(
      `${option} must be a whole number from 1 to ${max} (got ${JSON.stringify(value)})`,
      EXIT.usage,
    );
  return number;
}

/** Commander's collector for a repeatable option. */
export function collect(value: string, all: string[]): string[] {
  return [...all, value];
}
