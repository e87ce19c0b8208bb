// Progress bars on stderr, only for a person watching: on a TTY, never with --json
// (STYLE.md item 12). Elsewhere they do nothing.
import { SingleBar } from "cli-progress";

export type Progress = { update(value: number, total?: number): void; stop(): void };

export function progressBar(
  label: string,
  options: { json?: boolean; total: number; unit?: string },
): Progress {
  if (options.json || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total}${options.unit ? ` ${options.unit}` : ""}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(options.total, 0);
  return {
    update(value, total) {
      if (total !== undefined) bar.setTotal(total);
      bar.update(value);
    },
    stop: () => bar.stop(),
  };
}
