// The Dockerfile and .dockerignore, checked without a Docker engine: a multi-stage build
// whose final stage runs as a non-root user, installs exactly the lockfile with the pinned
// pnpm, bakes in no secret, and gets every source file but no local secret or data.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCompose, REPO_ROOT } from "./compose-file";
import { lastInstruction, readDockerfile, readDockerignore, stageEnvironment } from "./dockerfile";
import { readEnvExample } from "./env-example";
import { requiredSecrets, sampleDotEnv } from "./sample-dot-env";

const dockerfile = readDockerfile();
const runtime = dockerfile.stages.at(-1)!;
const allInstructions = dockerfile.stages.flatMap((stage) => stage.instructions);
const runs = allInstructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
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

  it("builds the web UI with the web app's own build script", () => {
    const web = JSON.parse(readFileSync(join(REPO_ROOT, "apps/web/package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(web.scripts.build).toBe("next build");
    expect(runs).toContain("pnpm --filter @pictograph/web build");
    expect(
      runtime.instructions.some((i) => i.keyword === "COPY" && i.args.startsWith("--from=")),
    ).toBe(true);
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
