// Test support: runs the real `pictograph` CLI from source as a separate process (node with
// tsx's loader, as `pnpm pictograph` does), so tests see exit codes, stdout and stderr exactly
// as a user would. Never imports the CLI's modules.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
// tsx is a root dev dependency; resolve it from here rather than from the child's cwd.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export type CliRun = { code: number | null; stdout: string; stderr: string };

/** `pictograph <args…>` in `cwd`. */
export function runCli(args: string[], cwd = REPO_ROOT): Promise<CliRun> {
  return runProcess(process.execPath, ["--import", TSX_LOADER, MAIN, ...args], cwd);
}

/** Any command, to its end; never rejects on a non-zero exit (the caller asserts it). */
export function runProcess(command: string, args: string[], cwd = REPO_ROOT): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
