// What every benchmark shares: its command-line options (`--quick`, and `--name=value` as
// `pnpm bench` passes them, or `--name value`), medians, and how it prints and logs figures.
const argv = process.argv.slice(2);

export const quick = argv.includes("--quick");

export function optionText(name: string): string | undefined {
  const joined = argv.find((arg) => arg.startsWith(`${name}=`));
  if (joined) return joined.slice(name.length + 1);
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

export const option = (name: string, fallback: number) =>
  Number(optionText(name) ?? fallback);

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[middle]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export const round = (value: number, digits = 0) =>
  Math.round(value * 10 ** digits) / 10 ** digits;

/** A number as a table shows it; a dash when there is none. */
export const n = (value: number | null | undefined) =>
  value === null || value === undefined || Number.isNaN(value)
    ? "–"
    : value.toLocaleString("en-US");

/** A target's verdict in a table. */
export const yes = (met: boolean) => (met ? "yes" : "**no**");

/** Progress lines on stderr, stamped with the benchmark's name and the time. */
export const benchLog =
  (bench: string) =>
  (message: string): void => {
    process.stderr.write(
      `[${bench} bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`,
    );
  };
