// Runs a docker-compose.yml service as a plain process, for machines without a Docker
// engine: the service's own command, in the directory its working_dir names inside the
// image, with the environment a container would get (image ENV, then the .env file, then
// `environment:`). Only what a container network provides and one host cannot is replaced,
// and the caller names each replacement. The commands run build output (dist/*.mjs), so
// buildImageOutputs() first runs the Dockerfile's build steps in this checkout. Test
// support: spawns processes, nothing else.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT, serviceEnvironment, type ComposeDocument } from "./compose-file";
import {
  buildCommands,
  lastInstruction,
  stageEnvironment,
  stageNamed,
  type Dockerfile,
} from "./dockerfile";

export type ProcessSpec = { argv: string[]; cwd: string; env: Record<string, string> };

export type ServiceProcess = {
  name: string;
  child: ChildProcess;
  output(): string;
  /** Resolves once the output matches; rejects if the process exits first or time runs out. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** SIGTERM, then the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
};

/**
 * How `docker compose` would run `service`: the repository root stands for the image's
 * application root (the runtime stage's WORKDIR without its `/apps/<app>`).
 */
export function serviceProcessSpec(options: {
  compose: ComposeDocument;
  dockerfile: Dockerfile;
  service: string;
  dotEnv: Record<string, string>;
  /** Per-container facts a shared host must set apart: ports, listen address, ids, data dir. */
  hostDifferences: Record<string, string>;
  /** PATH (to find `node`) and HOME: the only things taken from the host's environment. */
  host: { PATH: string; HOME: string };
}): ProcessSpec {
  const service = options.compose.services[options.service];
  if (!service) throw new Error(`docker-compose.yml has no service "${options.service}"`);
  const runtime = options.dockerfile.stages.at(-1)!;
  const appRoot = lastInstruction(runtime, "WORKDIR")!.replace(/\/apps\/[^/]+$/, "");
  const workingDir = service.working_dir ?? lastInstruction(runtime, "WORKDIR")!;
  if (!workingDir.startsWith(`${appRoot}/`))
    throw new Error(`${options.service}: working_dir ${workingDir} is outside ${appRoot}`);
  if (!Array.isArray(service.command))
    throw new Error(`${options.service}: command must be a list (exec form)`);

  const pinned = Object.fromEntries(
    Object.entries(serviceEnvironment(service)).map(([k, v]) => [k, v ?? ""]),
  );
  return {
    argv: service.command,
    cwd: join(REPO_ROOT, workingDir.slice(appRoot.length + 1)),
    env: {
      // A container starts from the image's environment, not the host's.
      ...options.host,
      ...stageEnvironment(runtime),
      ...options.dotEnv,
      ...pinned,
      ...options.hostDifferences,
    },
  };
}

export function startServiceProcess(name: string, spec: ProcessSpec): ServiceProcess {
  const [command, ...args] = spec.argv;
  const child = spawn(command!, args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );

  return {
    name,
    child,
    output: () => output,
    waitFor(pattern, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        const check = () => {
          if (!pattern.test(output)) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name}: no ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        void exited.then((code) => {
          if (!listeners.has(check)) return;
          done();
          reject(new Error(`${name} exited (${code}) before ${pattern}:\n${output}`));
        });
        listeners.add(check);
        check();
      });
    },
    async stop(graceMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return child.exitCode;
    },
  };
}

/** Runs a one-shot service to its end, like `docker compose run`; the exit code and output. */
export async function runServiceToCompletion(
  name: string,
  spec: ProcessSpec,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  const service = startServiceProcess(name, spec);
  const timer = setTimeout(() => service.child.kill("SIGKILL"), timeoutMs);
  // "close", not "exit": the output is complete only once stdout and stderr have ended.
  const code = await new Promise<number | null>((resolve) => service.child.once("close", resolve));
  clearTimeout(timer);
  return { code, output: service.output() };
}

let built: Promise<void> | undefined;

/**
 * Runs the Dockerfile's build steps (its `build` stage's RUN lines, less the install) in
 * this checkout, once per process: what the runtime stage copies is then where the services'
 * commands expect it. Turbo's cache makes a rerun on unchanged sources cheap. The build
 * gets the `base` stage's ENV, PATH and HOME, not the caller's environment (vitest sets
 * NODE_ENV=test, which `next build` must not see).
 */
export function buildImageOutputs(
  dockerfile: Dockerfile,
  host: { PATH: string; HOME: string },
): Promise<void> {
  built ??= (async () => {
    const env: Record<string, string> = {
      ...host,
      ...stageEnvironment(stageNamed(dockerfile, "base")),
    };
    for (const command of buildCommands(dockerfile)) {
      try {
        await promisify(execFile)("sh", ["-c", command], {
          cwd: REPO_ROOT,
          env,
          maxBuffer: 64 * 1024 * 1024,
        });
      } catch (error) {
        const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
        throw new Error(`build step failed: ${command}\n${stdout}${stderr}`, { cause: error });
      }
    }
  })();
  return built;
}
