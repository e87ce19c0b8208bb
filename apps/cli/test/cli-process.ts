// Test support: runs the real `pictograph` CLI as a separate process — from source (node
// with tsx's loader, as `pnpm pictograph` does) or the build (`node dist/main.mjs`, as users
// run it) — so tests see exit codes, stdout and stderr exactly as a user would. Never
// imports the CLI's modules.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
export const BUILT_CLI = fileURLToPath(new URL("../dist/main.mjs", import.meta.url));
// tsx is a root dev dependency; resolve it from here rather than from the child's cwd.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export type CliRun = { code: number | null; stdout: string; stderr: string };

export type RunOptions = {
  cwd?: string;
  /** Added to (or, when undefined, removed from) the test process's environment. */
  env?: Record<string, string | undefined>;
  /** Written to standard input, which is then closed. */
  input?: string;
};

/** `pictograph <args…>` from source, in `cwd`. */
export function runCli(args: string[], cwd = REPO_ROOT): Promise<CliRun> {
  return runProcess(process.execPath, ["--import", TSX_LOADER, MAIN, ...args], cwd);
}

/** The built `pictograph <args…>` (dist/main.mjs), as installed users run it. */
export function runBuilt(args: string[], options: RunOptions = {}): Promise<CliRun> {
  return runProcess(process.execPath, [BUILT_CLI, ...args], options.cwd ?? REPO_ROOT, options);
}

/** Any command, to its end; never rejects on a non-zero exit (the caller asserts it). */
export function runProcess(
  command: string,
  args: string[],
  cwd = REPO_ROOT,
  options: Omit<RunOptions, "cwd"> = {},
): Promise<CliRun> {
  const env = { ...process.env, ...options.env };
  for (const [key, value] of Object.entries(options.env ?? {}))
    if (value === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    if (options.input !== undefined) child.stdin!.end(options.input);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
