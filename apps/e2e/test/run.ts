// `pnpm --filter @pictograph/e2e test`: builds the web UI when its sources are newer than the
// last build, then runs Playwright. The root `pnpm test` leaves it out (it needs chromium,
// which .ci/run installs before running it as its own step).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@pictograph/test-server";

const WEB = join(REPO_ROOT, "apps/web");
// What goes into the browser bundle: the UI and the schema it validates with.
const SOURCES = [
  join(WEB, "src/app"),
  join(WEB, "src/ui"),
  join(WEB, "public"),
  join(WEB, "next.config.ts"),
  join(WEB, "package.json"),
  join(REPO_ROOT, "packages/schema/src"),
];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newest(join(path, entry))));
}

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const buildId = join(WEB, ".next/BUILD_ID");
const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
if (built < Math.max(...SOURCES.map(newest))) {
  console.log("building the web UI (next build)…");
  run("pnpm", ["--filter", "@pictograph/web", "build"], REPO_ROOT);
} else console.log("the web UI build is up to date");

run("pnpm", ["exec", "playwright", "test", ...process.argv.slice(2)], join(REPO_ROOT, "apps/e2e"));
