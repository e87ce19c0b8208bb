// stdout carries data, stderr carries logs, progress and errors (STYLE.md item 12). Tables
// show the declared columns; --json prints whole objects.
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export type Column<T> = { header: string; value: (row: T) => string | number | null | undefined };

/** Rows under a header, columns padded to their widest cell. */
export function printTable<T>(rows: T[], columns: Column<T>[], emptyMessage = "(none)"): void {
  if (rows.length === 0) {
    log(emptyMessage);
    return;
  }
  const cells = [
    columns.map((c) => c.header),
    ...rows.map((row) => columns.map((c) => String(c.value(row) ?? "-"))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  for (const line of cells)
    process.stdout.write(
      `${line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")}\n`,
    );
}

/** One object as `field  value` lines. */
export function printFields<T>(row: T, columns: Column<T>[]): void {
  const width = Math.max(...columns.map((c) => c.header.length));
  for (const column of columns)
    process.stdout.write(`${column.header.padEnd(width)}  ${String(column.value(row) ?? "-")}\n`);
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number | null | undefined): string | null {
  if (bytes === null || bytes === undefined) return null;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
