// The worker as compose and the Dockerfile run it (apps/worker/dist/main.mjs on plain node,
// one build at a time, local storage), in a child process of its own so that its memory and
// CPU readings from /proc belong to it alone. Node is started directly, never through a
// wrapper, so the pid read is the worker's. It must never leave the child running: stop()
// ends it, SIGKILL at worst.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const workerDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "apps", "worker");
const entry = join(workerDir, "dist", "main.mjs");

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

/** Starts the bundled worker on `databaseUrl` and `storageDir`; resolves once it is ready. */
export async function startBundledWorker(params: {
  databaseUrl: string;
  storageDir: string;
}): Promise<WorkerProcess> {
  if (!existsSync(entry))
    throw new Error(`${entry} does not exist: run pnpm build first (pnpm bench does)`);
  const child: ChildProcess = spawn(process.execPath, [entry], {
    cwd: workerDir,
    env: {
      ...process.env,
      DATABASE_URL: params.databaseUrl,
      STORAGE_DRIVER: "local",
      STORAGE_DIR: params.storageDir,
      WORKER_HEALTH_PORT: "0",
      WORKER_CONCURRENCY: "1",
    },
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
      if (output.includes("ready:")) {
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
