// stdout carries data, stderr carries logs, progress and errors (STYLE.md item 12).
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
