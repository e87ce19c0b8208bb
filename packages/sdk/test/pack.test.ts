// The package as npm users get it: `pnpm pack` of the build (turbo builds before testing;
// never rebuilt here, as the CLI's tests read dist/ at the same time), publint and attw on the
// tarball, then a fresh project installs the tarball, type-checks the contract's example
// against the published declarations and runs it against the real server.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testServer } from "./server";

const run = promisify(execFile);
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const bin = (name: string) => join(PACKAGE_DIR, "node_modules/.bin", name);

let dir: string;
let tarball: string;
let project: string;

/** The newest modification time of the files under `folder`. */
async function newest(folder: string): Promise<number> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const times = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => (await stat(join(e.parentPath, e.name))).mtimeMs),
  );
  return Math.max(...times);
}

beforeAll(async () => {
  const built = await stat(join(PACKAGE_DIR, "dist/index.mjs")).catch(() => null);
  if (!built || built.mtimeMs < (await newest(join(PACKAGE_DIR, "src"))))
    throw new Error("dist/ is missing or older than src/: run `pnpm build` in packages/sdk first");
  dir = await mkdtemp(join(tmpdir(), "pictograph-sdk-pack-"));
  await run("pnpm", ["pack", "--pack-destination", dir], { cwd: PACKAGE_DIR });
  tarball = join(dir, "pictograph-sdk-0.0.0.tgz");
  project = join(dir, "project");
  await mkdir(project);
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "uses-sdk", private: true, type: "module" }),
  );
  // No runtime dependencies: the registry is never needed.
  await run(
    "npm",
    ["install", tarball, "--offline", "--no-audit", "--no-fund", "--no-package-lock"],
    { cwd: project },
  );
}, 180_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the packed @pictograph/sdk", () => {
  it("holds the build, README and package.json only, and no server types", async () => {
    const { stdout } = await run("tar", ["-tzf", tarball]);
    expect(stdout.split("\n").filter(Boolean).sort()).toEqual([
      "package/README.md",
      "package/dist/index.d.mts",
      "package/dist/index.mjs",
      "package/package.json",
    ]);
    const installed = join(project, "node_modules/@pictograph/sdk");
    const manifest = JSON.parse(await readFile(join(installed, "package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(manifest.dependencies ?? {}).toEqual({});
    for (const file of ["dist/index.d.mts", "dist/index.mjs"]) {
      const text = await readFile(join(installed, file), "utf8");
      expect(text, file).not.toMatch(
        /@pictograph\/(api|schema|db|formats)|@trpc|drizzle|from "zod"|pg-boss/,
      );
    }
  });

  it("passes publint, strictly", async () => {
    const { stdout } = await run(bin("publint"), ["run", tarball, "--strict"]);
    expect(stdout).toMatch(/All good!/);
  });

  // ESM only, by design: `engines` is Node >= 20.19, where require() of ESM works, so the
  // "CJS resolves to ESM" note of the node16-from-CJS resolution is not a problem for us.
  it("passes attw for ESM consumers (node16 and bundlers)", async () => {
    const { stdout } = await run(bin("attw"), [
      tarball,
      "--profile",
      "esm-only",
      "--format",
      "json",
    ]);
    const report = JSON.parse(stdout) as {
      analysis: { problems: { kind: string; resolutionKind: string }[] };
    };
    const counted = report.analysis.problems.filter(
      (p) => p.resolutionKind !== "node10" && p.resolutionKind !== "node16-cjs",
    );
    expect(counted).toEqual([]);
  });

  it("runs the contract's example, type-checked against the published declarations", async () => {
    const example = `import { Client, PollTimeoutError, type Export } from "@pictograph/sdk";

const client = new Client();                       // PICTOGRAPH_URL, PICTOGRAPH_API_KEY
const exp: Export = await client.exports.create("demo", "for-yolov8-from-tarball", {
  format: "yolo",                 // pictograph (default) | coco | yolo | cvat | pascal_voc | labelme | csv
  include_images: true,           // default true; false = annotations only
  class_filter: ["car", "person"], // default null = all classes
  status_filter: "complete",      // default "complete"; "all" | "complete" | "in_progress" | "new"
  wait: true,                     // default true: resolve when the ZIP is ready
  poll_interval: 0.5,             // seconds
  timeout: 600.0,                 // seconds; on expiry PollTimeoutError (the export keeps building)
});
console.log(exp.id, exp.status, exp.image_count, exp.annotation_count);
for await (const e of client.exports.iter()) console.log(e.dataset_name, e.name, e.status);
console.log(new PollTimeoutError("x", {}, 1).status);
`;
    await writeFile(join(project, "example.ts"), example);
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [join(REPO_ROOT, "node_modules/@types")],
        },
        files: ["example.ts"],
      }),
    );
    await run(bin("tsc"), ["-p", "."], { cwd: project });

    const server = testServer();
    const { stdout } = await run(join(REPO_ROOT, "node_modules/.bin/tsx"), ["example.ts"], {
      cwd: project,
      env: { ...process.env, PICTOGRAPH_URL: server.url, PICTOGRAPH_API_KEY: server.apiKey },
    });
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^[0-9a-f-]{36} completed 25 \d+$/);
    expect(lines).toContain("demo for-yolov8-from-tarball completed");
    expect(lines.at(-1)).toBe("408");
    // A cold tsc over @types/node plus a tsx start: a minute or more on a busy machine.
  }, 180_000);
});
