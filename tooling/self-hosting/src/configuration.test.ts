// Configuration drift, caught statically: every variable the apps read (their src/env.ts),
// every ${VAR} docker-compose.yml uses and every name the SDK/CLI read is declared once in
// .env.example with its real default, and what compose hands each app is accepted by that
// app's own env parser.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv as parseWebEnv } from "../../../apps/web/src/env";
import { parseEnv as parseWorkerEnv, parseMigrateEnv } from "../../../apps/worker/src/env";
import {
  loadCompose,
  pictographServices,
  readComposeDocument,
  REPO_ROOT,
  serviceEnvironment,
} from "./compose-file";
import { documentVariableUses, interpolate } from "./compose-interpolation";
import { readDockerfile, stageEnvironment } from "./dockerfile";
import { readEnvExample } from "./env-example";
import { readEnvModule, WEB_ENV_FILE, WORKER_ENV_FILE, type EnvModule } from "./env-schema-reader";
import { sampleDotEnv } from "./sample-dot-env";

/** Read by @pictograph/sdk and the pictograph CLI (DESIGN.md, "The contract"), not the server. */
const CLIENT_VARIABLES = ["PICTOGRAPH_URL", "PICTOGRAPH_API_KEY"];
/** Read by Node and Next.js themselves, not by our env.ts. */
const PLATFORM_VARIABLES = ["NODE_ENV", "NODE_OPTIONS", "NEXT_TELEMETRY_DISABLED"];

const declarations = readEnvExample();
const declared = new Map(declarations.map((d) => [d.name, d]));
const web = readEnvModule(WEB_ENV_FILE);
const worker = readEnvModule(WORKER_ENV_FILE);
const composeUses = documentVariableUses(readComposeDocument());
const runtimeStage = readDockerfile().stages.at(-1)!;

/** Which app's env.ts governs a compose service, by the app directory it runs in. */
function envModuleOf(workingDir: string | undefined): EnvModule {
  if (workingDir?.endsWith("/apps/web")) return web;
  if (workingDir?.endsWith("/apps/worker")) return worker;
  throw new Error(`no env.ts known for working_dir ${workingDir}`);
}

describe(".env.example", () => {
  it("declares each variable once, and says what it does", () => {
    const names = declarations.map((d) => d.name);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
    expect(declarations.filter((d) => d.description.length < 10).map((d) => d.name)).toEqual([]);
  });

  it("declares every variable the web app and the worker read", () => {
    for (const module of [web, worker])
      for (const name of module.variables.keys())
        expect(declared.has(name), `${name} (${module.file})`).toBe(true);
  });

  it("declares every variable docker-compose.yml interpolates, and the SDK's", () => {
    for (const { name } of composeUses)
      expect(declared.has(name), `\${${name}} in docker-compose.yml`).toBe(true);
    for (const name of CLIENT_VARIABLES) expect(declared.has(name), name).toBe(true);
  });

  it("declares nothing that nothing reads", () => {
    const read = new Set([
      ...web.variables.keys(),
      ...worker.variables.keys(),
      ...composeUses.map((u) => u.name),
      ...CLIENT_VARIABLES,
    ]);
    expect(declarations.map((d) => d.name).filter((name) => !read.has(name))).toEqual([]);
  });

  it("shows each default as the apps and compose really apply it", () => {
    for (const name of new Set([...web.variables.keys(), ...worker.variables.keys()])) {
      const defaults = [web, worker]
        .map((m) => m.variables.get(name)?.defaultValue)
        .filter((d) => d !== undefined);
      // Web and worker must agree where both read a variable.
      expect(new Set(defaults).size, `${name}: web and worker defaults differ`).toBeLessThanOrEqual(
        1,
      );
      const declaration = declared.get(name)!;
      if (defaults[0] !== undefined && declaration.commented)
        expect(declaration.value, name).toBe(defaults[0]);
    }
    // A `${NAME:-default}` in compose shows the same value as .env.example's commented line.
    for (const use of composeUses) {
      const declaration = declared.get(use.name)!;
      // Defaults built from other variables (DATABASE_URL) are described in words instead.
      if (use.operator !== ":-" || !declaration.commented || use.word.includes("$")) continue;
      expect(declaration.value, `\${${use.name}:-…} in docker-compose.yml`).toBe(
        interpolate(use.word, {}),
      );
    }
  });
});

describe("docs/self-hosting.md", () => {
  it("has every variable of .env.example, and no other, in its configuration reference", () => {
    const guide = readFileSync(join(REPO_ROOT, "docs/self-hosting.md"), "utf8");
    const reference = guide.slice(guide.indexOf("## Configuration reference"));
    const rows = [
      ...reference.slice(0, reference.indexOf("\n## ", 3)).matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm),
    ];
    expect(rows.map((row) => row[1]).sort()).toEqual(declarations.map((d) => d.name).sort());
  });
});

describe("what docker compose hands each app", () => {
  const dotEnv = sampleDotEnv();
  const compose = loadCompose(dotEnv);
  const imageEnvironment = stageEnvironment(runtimeStage);

  /** As a container sees it: image ENV, then env_file (.env), then `environment:`. */
  function containerEnvironment(name: string): Record<string, string> {
    const service = compose.services[name]!;
    const pinned = Object.fromEntries(
      Object.entries(serviceEnvironment(service)).map(([k, v]) => [k, v ?? ""]),
    );
    return { ...imageEnvironment, ...dotEnv, ...pinned };
  }

  it("pins only variables the app's own env.ts (or the platform) reads", () => {
    for (const [name, service] of pictographServices(compose)) {
      const module = envModuleOf(service.working_dir);
      for (const variable of Object.keys(serviceEnvironment(service)))
        expect(
          module.variables.has(variable) || PLATFORM_VARIABLES.includes(variable),
          `${name} sets ${variable}, which ${module.file} does not read`,
        ).toBe(true);
    }
    for (const variable of Object.keys(imageEnvironment))
      expect(
        web.variables.has(variable) ||
          worker.variables.has(variable) ||
          PLATFORM_VARIABLES.includes(variable),
        `the image sets ${variable}`,
      ).toBe(true);
  });

  it("is accepted by the web app's, the worker's and migrate's env parsers", () => {
    const webEnv = parseWebEnv(containerEnvironment("web"));
    expect(webEnv).toMatchObject({
      embedded: false,
      runWorker: false,
      serveUi: true,
      PORT: 3000,
      HOST: "0.0.0.0",
    });
    expect(webEnv.storage).toMatchObject({
      driver: "s3",
      endpoint: "http://minio:9000",
      bucket: "pictograph",
    });
    expect(webEnv.DATABASE_URL).toBe(
      "postgres://pictograph:test-postgres-password@postgres:5432/pictograph",
    );
    expect(webEnv.dataDir).toBe("/var/lib/pictograph");

    const workerEnv = parseWorkerEnv(containerEnvironment("worker"));
    expect(workerEnv).toMatchObject({ WORKER_HEALTH_PORT: 3001, WORKER_CONCURRENCY: 2 });
    expect(workerEnv.WORKER_ID).toBeUndefined(); // each replica names itself host:pid
    // The same bucket; only the web app presigns downloads, for the public endpoint.
    const { publicEndpoint: _publicEndpoint, ...webStorage } =
      webEnv.storage as typeof webEnv.storage & { publicEndpoint?: string };
    expect(workerEnv.storage).toEqual(webStorage);
    expect(workerEnv.DATABASE_URL).toBe(webEnv.DATABASE_URL);

    expect(parseMigrateEnv(containerEnvironment("migrate")).DATABASE_URL).toBe(webEnv.DATABASE_URL);
  });

  it("lets an operator's .env tune the apps, but not what the containers' wiring depends on", () => {
    const tuned = {
      ...dotEnv,
      WORKER_CONCURRENCY: "8",
      EXPORT_RETENTION_DAYS: "30",
      PORT: "8080",
      WORKER_HEALTH_PORT: "9999",
    };
    const tunedCompose = loadCompose(tuned);
    const environment = (name: string) => ({
      ...imageEnvironment,
      ...tuned,
      ...(serviceEnvironment(tunedCompose.services[name]!) as Record<string, string>),
    });
    const workerEnv = parseWorkerEnv(environment("worker"));
    expect(workerEnv).toMatchObject({
      WORKER_CONCURRENCY: 8,
      EXPORT_RETENTION_DAYS: 30,
      WORKER_HEALTH_PORT: 3001,
    });
    expect(parseWebEnv(environment("web")).PORT).toBe(3000);
  });
});
