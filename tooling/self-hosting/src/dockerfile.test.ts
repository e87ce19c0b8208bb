// The Dockerfile and .dockerignore, checked without a Docker engine: a multi-stage build
// that installs exactly the lockfile with the pinned pnpm and builds the web app (Next's
// standalone output plus our bundled server) and the bundled worker; a final stage of build
// output only, run as a non-root user, with healthchecks; no secret baked in; every source
// file but no local secret or data in the build context. compose-processes.test.ts runs
// the build steps and the services' commands for real.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCompose, REPO_ROOT } from "./compose-file";
import {
  buildCommands,
  copiesFrom,
  lastInstruction,
  readDockerfile,
  readDockerignore,
  stageEnvironment,
} from "./dockerfile";
import { readEnvExample } from "./env-example";
import { requiredSecrets, sampleDotEnv } from "./sample-dot-env";

const dockerfile = readDockerfile();
const runtime = dockerfile.stages.at(-1)!;
const allInstructions = dockerfile.stages.flatMap((stage) => stage.instructions);
const runs = allInstructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
// By path, not by a static import: Next's types would redefine process.env for this package.
const nextConfig = (
  (await import(join(REPO_ROOT, "apps/web/next.config.ts"))) as { default: { output?: string } }
).default;
const rootPackage = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  packageManager: string;
  engines: { node: string };
};

describe("Dockerfile", () => {
  it("builds in stages and runs the final one as the unprivileged node user", () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(3);
    expect(runtime.name).toBe("runtime");
    expect(lastInstruction(runtime, "USER")).toBe("node");
    // Nothing after USER switches back to root.
    const afterUser = runtime.instructions.slice(
      runtime.instructions.findIndex((i) => i.keyword === "USER"),
    );
    expect(afterUser.filter((i) => i.keyword === "USER").map((i) => i.args)).toEqual(["node"]);
  });

  it("bakes no secret into any layer", () => {
    const secrets = new Set([...requiredSecrets(readEnvExample()), "DATABASE_URL"]);
    for (const stage of dockerfile.stages) {
      for (const name of Object.keys(stageEnvironment(stage)))
        expect(secrets.has(name), `ENV ${name}`).toBe(false);
      for (const arg of stage.instructions.filter((i) => i.keyword === "ARG"))
        expect(arg.args, "ARG").not.toMatch(/SECRET|PASSWORD|KEY|TOKEN|DATABASE_URL/i);
    }
    for (const copy of allInstructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD"))
      expect(copy.args, "COPY").not.toMatch(/\.env\b|\.pictograph/);
  });

  it("installs exactly the lockfile's packages with the repository's pinned pnpm and Node", () => {
    expect(runs).toContain(`npm install --global --save-exact ${rootPackage.packageManager}`);
    const installs = runs.filter((run) => /\bpnpm install\b/.test(run));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toContain("--frozen-lockfile");

    const image = dockerfile.globalArgs.NODE_IMAGE!;
    const [major, minor] = /^node:(\d+)\.(\d+)-/.exec(image)!.slice(1).map(Number) as [
      number,
      number,
    ];
    const [needMajor, needMinor] = /^>=(\d+)\.(\d+)/
      .exec(rootPackage.engines.node)!
      .slice(1)
      .map(Number) as [number, number];
    expect(major).toBe(needMajor);
    expect(minor).toBeGreaterThanOrEqual(needMinor);
    for (const stage of dockerfile.stages.filter((s) => s.image.startsWith("node")))
      expect(stage.image).toBe(image);
  });

  it("builds the web app (Next standalone output) and the worker with their own build scripts", () => {
    const scripts = (app: string) =>
      (
        JSON.parse(readFileSync(join(REPO_ROOT, `apps/${app}/package.json`), "utf8")) as {
          scripts: Record<string, string>;
        }
      ).scripts;
    expect(scripts("web").build).toBe("next build && tsdown");
    expect(scripts("worker").build).toBe("tsdown");
    expect(nextConfig.output).toBe("standalone");
    expect(buildCommands(dockerfile)).toEqual([
      "pnpm turbo run build --filter=@pictograph/web --filter=@pictograph/worker",
    ]);
  });

  it("runs build output only: no workspace, no package install, no TypeScript at run time", () => {
    const copies = runtime.instructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD");
    expect(copies.length).toBeGreaterThan(0);
    expect(copiesFrom(runtime, "build")).toHaveLength(copies.length);
    expect(copiesFrom(runtime, "build").map((c) => c.source)).toEqual([
      "/app/apps/web/.next/standalone",
      "/app/apps/web/.next/static",
      "/app/apps/web/dist",
      "/app/apps/worker/dist",
    ]);
    for (const { keyword, args } of runtime.instructions) {
      expect(`${keyword} ${args}`).not.toMatch(/\btsx\b|\.ts\b|pnpm|npm install/);
    }
  });

  it("runs each Pictograph service's command from a file the runtime stage copies in", () => {
    const compose = loadCompose(sampleDotEnv());
    const copied = copiesFrom(runtime, "build").map((c) => c.destination);
    for (const name of ["migrate", "web", "worker"]) {
      const service = compose.services[name]!;
      const [node, file, ...rest] = service.command as string[];
      expect([node, rest], name).toEqual(["node", []]);
      const path = posix.resolve(service.working_dir!, file!);
      expect(path, name).toMatch(/\/dist\/[a-z]+\.mjs$/);
      expect(
        copied.some((destination) => path.startsWith(`${destination}/`)),
        `${name}: ${path}`,
      ).toBe(true);
    }
  });

  it("probes health with node alone (the slim image has no curl), the web server by default", () => {
    const compose = loadCompose(sampleDotEnv());
    const healthcheck = lastInstruction(runtime, "HEALTHCHECK")!;
    const imageProbe = JSON.parse(healthcheck.replace(/^.*?\bCMD\s+/, "")) as string[];
    expect(["CMD", ...imageProbe]).toEqual(compose.services.web!.healthcheck!.test);
    for (const name of ["web", "worker"]) {
      const test = compose.services[name]!.healthcheck!.test as string[];
      expect(test.slice(0, 3), name).toEqual(["CMD", "node", "-e"]);
    }
    // A one-shot step is no server: it must not inherit the web server's probe.
    expect(compose.services.migrate!.healthcheck).toEqual({ disable: true });
  });

  it("defaults to the web service's command, in the web service's directory", () => {
    const web = loadCompose(sampleDotEnv()).services.web!;
    expect(JSON.parse(lastInstruction(runtime, "CMD")!)).toEqual(web.command);
    expect(lastInstruction(runtime, "WORKDIR")).toBe(web.working_dir);
    expect(stageEnvironment(runtime)).toMatchObject({ NODE_ENV: "production" });
  });
});

describe(".dockerignore", () => {
  const excluded = readDockerignore();

  it("sends every tracked file to the build", () => {
    const tracked = execFileSync("git", ["ls-files"], { cwd: REPO_ROOT, encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    expect(tracked.length).toBeGreaterThan(100);
    expect(tracked.filter(excluded)).toEqual([]);
  });

  it("keeps local secrets, data, dependencies and build output out", () => {
    const local = [
      ".env",
      ".env.production",
      "apps/web/.env.local",
      ".pictograph/secret",
      ".pictograph/admin-api-key",
      "apps/web/.pictograph/db/PG_VERSION",
      "node_modules/next/package.json",
      "apps/web/node_modules/react/index.js",
      "apps/web/.next/BUILD_ID",
      "packages/sdk/dist/index.js",
      ".git/config",
      ".turbo/cache/x",
    ];
    expect(local.filter((path) => !excluded(path))).toEqual([]);
    expect(excluded(".env.example")).toBe(false);
  });
});
