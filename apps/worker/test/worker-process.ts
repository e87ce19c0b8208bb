// Test support: the real worker and `migrate` as child processes, started the way
// docker-compose.yml starts them (`node --import tsx src/main.ts`): one process, so a signal
// reaches the worker itself rather than a tsx wrapper that might outlive it. For tests only.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
const NODE_TSX = ["--import", "tsx"];

export type WorkerProcess = {
  id: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) once it has exited. */
  exited: Promise<number | null>;
};

/** Runs `migrate` (database migrations and the pg-boss schema) to completion. */
export function runMigrate(databaseUrl: string): void {
  const result = spawnSync(process.execPath, [...NODE_TSX, "src/migrate.ts"], {
    cwd: APP_DIR,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status !== 0)
    throw new Error(`migrate failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/** Starts a worker and resolves once it says it is ready. */
export async function startWorkerProcess(
  id: string,
  env: Record<string, string>,
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [...NODE_TSX, "src/main.ts"], {
    cwd: APP_DIR,
    env: { ...process.env, WORKER_ID: id, WORKER_HEALTH_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const deadline = Date.now() + 60_000;
  while (!output.includes(`[worker ${id}] ready`)) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`worker ${id} exited:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`worker ${id} did not start in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { id, child, output: () => output, exited };
}

/** Stops a worker still running (SIGKILL after 15 s), for test teardown. */
export async function stopWorkerProcess(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill("SIGTERM");
  const timer = setTimeout(() => worker.child.kill("SIGKILL"), 15_000);
  await worker.exited;
  clearTimeout(timer);
}
