// A worker running in a child process of its own (apps/worker/dist/main.mjs, or another entry
// file), so that its memory and CPU readings from /proc belong to it alone. Node is started
// directly (with this process's tsx loader flags for a .ts entry), never through a wrapper,
// so the pid read is the worker's. It must never leave the child running: stop() ends it,
// SIGKILL at worst.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

export type WorkerProcess = {
  pid: number;
  /** Peak resident set so far (VmHWM), in MB. */
  peakRssMB(): number;
  /** Current resident set (VmRSS), in MB. */
  rssMB(): number;
  /** CPU time used so far (user + system, all threads), in ms. */
  cpuMs(): number;
  /** What the worker printed, for a failure message. */
  output(): string;
  stop(): Promise<void>;
  /** Kills it without waiting, for a signal handler. */
  kill(): void;
};

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;
const clockTicksPerSecond =
  Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

function statusMB(pid: number, field: "VmHWM" | "VmRSS"): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(
    readFileSync(`/proc/${pid}/status`, "utf8"),
  );
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

function cpuMsOf(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces: utime and
  // stime are the 12th and 13th of them.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond) * 1000;
}

/** Starts `entry` with `env` and resolves once it prints a line containing `readyText`. */
export async function startWorkerProcess(params: {
  entry: string;
  cwd: string;
  env: Record<string, string>;
  readyText: string;
}): Promise<WorkerProcess> {
  if (!existsSync(params.entry))
    throw new Error(`${params.entry} does not exist: run pnpm build first (pnpm bench does)`);
  // A built bundle runs on plain node, as in production; TypeScript through this process's tsx.
  const execArgv = params.entry.endsWith(".ts") ? process.execArgv : [];
  const child: ChildProcess = spawn(process.execPath, [...execArgv, params.entry], {
    cwd: params.cwd,
    env: { ...process.env, ...params.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker not ready after ${READY_TIMEOUT_MS} ms:\n${output}`)),
      READY_TIMEOUT_MS,
    );
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (output.includes(params.readyText)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    void exit.then(() => {
      clearTimeout(timer);
      reject(
        new Error(
          `worker exited before it was ready (${child.exitCode ?? child.signalCode}):\n${output}`,
        ),
      );
    });
  });
  const pid = child.pid!;
  const worker: WorkerProcess = {
    pid,
    peakRssMB: () => statusMB(pid, "VmHWM"),
    rssMB: () => statusMB(pid, "VmRSS"),
    cpuMs: () => cpuMsOf(pid),
    output: () => output,
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    },
    kill() {
      if (!exited) child.kill("SIGKILL");
    },
  };
  try {
    await ready;
  } catch (error) {
    worker.kill();
    throw error;
  }
  return worker;
}
