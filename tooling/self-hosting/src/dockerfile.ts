// Reads the repository's Dockerfile and .dockerignore the way Docker's builder does, enough
// for the checks: stages with their instructions (line continuations, comments, global ARGs
// in FROM), and which context paths .dockerignore keeps out. Read-only.
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { REPO_ROOT } from "./compose-file";

export const DOCKERFILE = join(REPO_ROOT, "Dockerfile");
export const DOCKERIGNORE = join(REPO_ROOT, ".dockerignore");

export type Instruction = { keyword: string; args: string; line: number };
export type Stage = { name: string | null; image: string; instructions: Instruction[] };
export type Dockerfile = { globalArgs: Record<string, string>; stages: Stage[] };

function logicalLines(text: string): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = [];
  let pending: { text: string; line: number } | null = null;
  text.split("\n").forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith("#") || (trimmed === "" && pending === null)) return;
    const continued = trimmed.endsWith("\\");
    const part = continued ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending
      ? { text: `${pending.text} ${part}`, line: pending.line }
      : { text: part, line: index + 1 };
    if (!continued) {
      lines.push(pending);
      pending = null;
    }
  });
  if (pending) lines.push(pending);
  return lines;
}

function substitute(text: string, args: Record<string, string>): string {
  return text.replace(
    /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
    (whole, name: string) => args[name] ?? whole,
  );
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { text: line, line: number } of logicalLines(text)) {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(" "), line: number };
    if (instruction.keyword === "FROM") {
      const [image = "", as, name] = instruction.args.split(/\s+/);
      stages.push({
        name: as?.toUpperCase() === "AS" && name ? name : null,
        image: substitute(image, globalArgs),
        instructions: [],
      });
    } else if (stages.length === 0 && instruction.keyword === "ARG") {
      const [name = "", value = ""] = instruction.args.split("=");
      globalArgs[name] = value;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

export function readDockerfile(path = DOCKERFILE): Dockerfile {
  return parseDockerfile(readFileSync(path, "utf8"));
}

/** `ENV A=1 B=2` (and the old `ENV A 1`) of one stage, in order. */
export function stageEnvironment(stage: Stage): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== "ENV") continue;
    if (!args.includes("=")) {
      const [name = "", ...value] = args.split(/\s+/);
      environment[name] = value.join(" ");
      continue;
    }
    for (const pair of args.match(/[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|\S*)/g) ?? []) {
      const at = pair.indexOf("=");
      environment[pair.slice(0, at)] = pair.slice(at + 1).replace(/^"(.*)"$/, "$1");
    }
  }
  return environment;
}

/** The value of a stage's last instruction of this kind (WORKDIR, USER, CMD…). */
export function lastInstruction(stage: Stage, keyword: string): string | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1)?.args;
}

type IgnoreRule = { pattern: RegExp; negated: boolean };

function ruleFor(line: string): IgnoreRule {
  const negated = line.startsWith("!");
  const path = (negated ? line.slice(1) : line).trim().replace(/^\/+/, "").replace(/\/+$/, "");
  let source = "";
  for (let i = 0; i < path.length; i++) {
    const char = path[i]!;
    if (char === "*" && path[i + 1] === "*") {
      // `**/` matches any number of directories, including none.
      source += path[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += path[i + 2] === "/" ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // A pattern that names a directory excludes everything under it.
  return { pattern: new RegExp(`^${source}(?:/.*)?$`), negated };
}

/** Whether the build context leaves `path` (relative to the repository root) out. */
export function createDockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map(ruleFor);
  return (path) => {
    let excluded = false;
    for (const rule of rules) if (rule.pattern.test(path)) excluded = !rule.negated;
    return excluded;
  };
}

export function readDockerignore(path = DOCKERIGNORE): (path: string) => boolean {
  return createDockerignore(readFileSync(path, "utf8"));
}

/** A stage by its `AS` name. */
export function stageNamed(dockerfile: Dockerfile, name: string): Stage {
  const stage = dockerfile.stages.find((s) => s.name === name);
  if (!stage) throw new Error(`Dockerfile has no stage "${name}"`);
  return stage;
}

/**
 * The commands that build what the runtime stage copies: the `build` stage's RUN lines,
 * less its install (a checkout has its own node_modules). Run from the repository root.
 */
export function buildCommands(dockerfile: Dockerfile): string[] {
  return stageNamed(dockerfile, "build")
    .instructions.filter((i) => i.keyword === "RUN" && !/\bpnpm install\b/.test(i.args))
    .map((i) => i.args);
}

/** `COPY --from=<stage> <source> <destination>` of a stage, destinations absolute. */
export function copiesFrom(stage: Stage, from: string): { source: string; destination: string }[] {
  let workdir = "/";
  const copies: { source: string; destination: string }[] = [];
  for (const { keyword, args } of stage.instructions) {
    if (keyword === "WORKDIR") workdir = args.startsWith("/") ? args : posix.join(workdir, args);
    if (keyword !== "COPY") continue;
    const [flag, source, destination] = args.split(/\s+/);
    if (flag !== `--from=${from}` || !source || !destination) continue;
    copies.push({ source, destination: posix.resolve(workdir, destination) });
  }
  return copies;
}
