// The two ways the API benchmark runs Pictograph: `pnpm start`-style embedded mode (the real
// server through tooling/test-server: PGlite, local storage, the worker in the web process)
// and docker-compose.yml's migrate, web and three workers as plain processes
// (tooling/self-hosting) against local PostgreSQL (a database of the bench's own, dropped
// after) and the s3rver test server in a child process. Each target starts, hands back a
// base URL, an admin API key and the pids whose CPU counts as the server's, and stops
// leaving nothing behind.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startTestServer } from "../../../tooling/test-server/src/index";
import { loadCompose } from "../../../tooling/self-hosting/src/compose-file";
import { readDockerfile } from "../../../tooling/self-hosting/src/dockerfile";
import { sampleDotEnv } from "../../../tooling/self-hosting/src/sample-dot-env";
import { createScratchDatabase } from "../../../tooling/self-hosting/src/scratch-database";
import {
  runServiceToCompletion,
  serviceProcessSpec,
  startServiceProcess,
  type ProcessSpec,
  type ServiceProcess,
} from "../../../tooling/self-hosting/src/service-process";

const here = dirname(fileURLToPath(import.meta.url));

export type Target = {
  label: string;
  baseUrl: string;
  apiKey: string;
  /** Processes whose CPU time is the server side's (descendants included). */
  serverPids(): number[];
  /** What the processes printed, for a failure message. */
  output(): string;
  stop(): Promise<void>;
};

export async function startEmbeddedTarget(): Promise<Target> {
  const server = await startTestServer({ timeoutMs: 180_000 });
  return {
    label: "embedded (`pnpm start`: PGlite, local storage, worker in the web process)",
    baseUrl: server.url,
    apiKey: server.apiKey,
    serverPids: () => [server.process.pid!],
    output: () => server.output(),
    stop: () => server.stop(),
  };
}

/** A child process started with this process's loader (tsx), ready once it prints `prefix`. */
async function startHelper(
  file: string,
  prefix: string,
): Promise<{ child: ChildProcess; line: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...process.execArgv, join(here, file)], {
    cwd: here,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file}: not ready:\n${output}`)), 60_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const found = output.split("\n").find((l) => l.startsWith(prefix));
      if (found && output.includes(`${found}\n`)) {
        clearTimeout(timer);
        resolve(found.slice(prefix.length).trim());
      }
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${file} exited (${child.exitCode}):\n${output}`));
    });
  });
  return {
    child,
    line,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function startBareHttpServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const helper = await startHelper("bare-http-server.ts", "listening:");
  return { url: `http://127.0.0.1:${helper.line}/api/health`, stop: () => helper.stop() };
}

export const COMPOSE_WORKERS = 3;

export async function startComposeTarget(adminUrl: string): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), "pictograph-bench-compose-"));
  const running: ServiceProcess[] = [];
  const [database, s3] = await Promise.all([
    createScratchDatabase(adminUrl, "pictograph_bench_api"),
    startHelper("s3-server-process.ts", "s3:"),
  ]);
  const stop = async () => {
    await Promise.all(running.map((service) => service.stop()));
    await s3.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const s3Config = JSON.parse(s3.line) as {
      endpoint: string;
      bucket: string;
      accessKeyId: string;
      secretAccessKey: string;
    };
    // The operator's .env: .env.example with its secrets filled, pointing at this host.
    const dotEnv = {
      ...sampleDotEnv(),
      DATABASE_URL: database.url,
      S3_ENDPOINT: s3Config.endpoint,
      S3_PUBLIC_ENDPOINT: s3Config.endpoint,
      S3_BUCKET: s3Config.bucket,
      S3_ACCESS_KEY_ID: s3Config.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3Config.secretAccessKey,
      PICTOGRAPH_UI: "false",
    };
    const spec = (service: string, hostDifferences: Record<string, string>): ProcessSpec =>
      serviceProcessSpec({
        compose: loadCompose(dotEnv),
        dockerfile: readDockerfile(),
        service,
        dotEnv,
        hostDifferences: { PICTOGRAPH_DATA_DIR: dataDir, HOST: "127.0.0.1", ...hostDifferences },
        host: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? tmpdir() },
      });

    const migrate = await runServiceToCompletion("migrate", spec("migrate", {}), 120_000);
    if (migrate.code !== 0) throw new Error(`migrate exited ${migrate.code}:\n${migrate.output}`);

    const webPort = await freePort();
    const web = startServiceProcess("web", spec("web", { PORT: String(webPort) }));
    running.push(web);
    for (let i = 1; i <= COMPOSE_WORKERS; i++) {
      const port = await freePort();
      running.push(
        startServiceProcess(
          `worker-${i}`,
          spec("worker", { WORKER_ID: `worker-${i}`, WORKER_HEALTH_PORT: String(port) }),
        ),
      );
    }
    await Promise.all([
      web.waitFor(/\[pictograph\] ready on/, 120_000),
      ...running.slice(1).map((worker) => worker.waitFor(/ready: \d+ at a time/, 120_000)),
    ]);

    // `docker compose exec web node --import tsx src/admin.ts …`, as the guide says.
    const admin = async (...args: string[]) => {
      const base = spec("web", {});
      const result = await runServiceToCompletion(
        "admin",
        { ...base, argv: ["node", "--import", "tsx", "src/admin.ts", ...args] },
        120_000,
      );
      if (result.code !== 0)
        throw new Error(`admin ${args[0]} exited ${result.code}:\n${result.output}`);
      return result.output;
    };
    await admin("create-workspace", "bench");
    const key = /^(pg_\S+)$/m.exec(
      await admin("create-api-key", "--workspace", "bench", "--role", "admin", "--name", "bench"),
    )?.[1];
    if (!key) throw new Error("admin create-api-key printed no key");

    return {
      label: `compose-style (migrate, web and ${COMPOSE_WORKERS} workers as plain processes; PostgreSQL; s3rver)`,
      baseUrl: `http://127.0.0.1:${webPort}`,
      apiKey: key,
      serverPids: () => running.map((service) => service.child.pid!),
      output: () =>
        running
          .map((service) => `--- ${service.name}\n${service.output().slice(-4000)}`)
          .join("\n"),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
