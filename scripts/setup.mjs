// Makes a clean clone runnable with nothing but Node 20: installs the pinned pnpm when it
// is missing, then the workspace's dependencies when the lockfile changed since the last
// install. Plain Node, no dependencies: it runs before anything is installed.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PNPM_VERSION = "12.4.2";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const localTools = join(root, ".tools");

function pnpmVersion(command) {
  const result = spawnSync(command, ["--version"], {
    encoding: "utf8",
    shell: false,
  });
  return result.status === 0 ? result.stdout.trim() : null;
}

function findPnpm() {
  const local = join(localTools, "node_modules", ".bin", "pnpm");
  if (existsSync(local) && pnpmVersion(local) === PNPM_VERSION) return local;
  if (pnpmVersion("pnpm") === PNPM_VERSION) return "pnpm";
  return null;
}

function installPnpm() {
  console.error(`setup: installing pnpm ${PNPM_VERSION}`);
  const global = spawnSync(
    "npm",
    ["install", "--global", "--save-exact", `pnpm@${PNPM_VERSION}`],
    {
      stdio: "inherit",
    },
  );
  if (global.status === 0 && pnpmVersion("pnpm") === PNPM_VERSION)
    return "pnpm";
  // No permission for a global install: keep a private copy inside the checkout.
  mkdirSync(localTools, { recursive: true });
  execFileSync(
    "npm",
    ["install", "--prefix", localTools, "--save-exact", `pnpm@${PNPM_VERSION}`],
    {
      stdio: "inherit",
    },
  );
  return join(localTools, "node_modules", ".bin", "pnpm");
}

const pnpm = findPnpm() ?? installPnpm();

const lockfile = join(root, "pnpm-lock.yaml");
const installed = join(root, "node_modules", ".modules.yaml");
const upToDate =
  existsSync(installed) &&
  statSync(installed).mtimeMs >= statSync(lockfile).mtimeMs;
if (!upToDate) {
  const frozen =
    readFileSync(lockfile, "utf8").length > 0 ? ["--frozen-lockfile"] : [];
  execFileSync(pnpm, ["install", ...frozen], { cwd: root, stdio: "inherit" });
}
