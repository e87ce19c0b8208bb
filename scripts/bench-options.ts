// The command-line options every benchmark reads: `--quick` (a smoke test), and numbers or
// lists as `--name=value` (what `pnpm bench` passes through) or `--name value`.
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
