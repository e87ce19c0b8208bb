// Reads, statically, which environment variables a deployable's src/env.ts accepts and their
// defaults: the keys of its zod `EnvSchema` object, plus every `source.NAME` its smaller
// parsers (admin, migrate) read. Static on purpose: importing env.ts would parse this
// process's environment. Throws when it cannot read a default, so a check never passes on a
// value it did not see.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./compose-file";

export type EnvVariable = {
  name: string;
  /** The `.default(…)` value, as the string an environment would carry; undefined: none. */
  defaultValue?: string;
};

export type EnvModule = { file: string; variables: Map<string, EnvVariable> };

export const WEB_ENV_FILE = join(REPO_ROOT, "apps/web/src/env.ts");
export const WORKER_ENV_FILE = join(REPO_ROOT, "apps/worker/src/env.ts");

const SCHEMA_START = /const EnvSchema = z\s*\.object\(\{/;
const SCHEMA_KEY = /^\s{4}([A-Z][A-Z0-9_]*):\s*(.+?),?$/;
const SOURCE_READ = /\bsource\.([A-Z][A-Z0-9_]*)\b/g;

/** Evaluates what `.default(…)` may hold here: a string literal or a product of numbers. */
function readDefault(name: string, expression: string): string {
  const text = expression.trim();
  const quoted = /^(["'`])(.*)\1$/.exec(text);
  if (quoted) return quoted[2]!;
  if (/^[\d_.\s*]+$/.test(text))
    return String(
      text
        .split("*")
        .reduce((product, factor) => product * Number(factor.trim().replaceAll("_", "")), 1),
    );
  throw new Error(`cannot read the default of ${name}: .default(${text})`);
}

/** The argument of the last `.default(` on a line, with nested parentheses. */
function defaultArgument(definition: string): string | undefined {
  const at = definition.lastIndexOf(".default(");
  if (at === -1) return undefined;
  let depth = 0;
  const start = at + ".default(".length;
  for (let i = start; i < definition.length; i++) {
    const char = definition[i];
    if (char === "(") depth++;
    if (char === ")") {
      if (depth === 0) return definition.slice(start, i);
      depth--;
    }
  }
  throw new Error(`unbalanced .default( in: ${definition}`);
}

export function parseEnvModule(text: string, file: string): EnvModule {
  const start = SCHEMA_START.exec(text);
  if (!start) throw new Error(`${file}: no \`const EnvSchema = z.object({\` found`);
  const body = text.slice(start.index + start[0].length);
  const end = body.search(/^\s{2}\}\)/m);
  if (end === -1) throw new Error(`${file}: the EnvSchema object does not close with "  })"`);

  const variables = new Map<string, EnvVariable>();
  for (const line of body.slice(0, end).split("\n")) {
    const match = SCHEMA_KEY.exec(line);
    if (!match) continue;
    const name = match[1]!;
    if (!line.trimEnd().endsWith(","))
      throw new Error(
        `${file}: write ${name}'s schema on one line, ending with "," (this reader is line-based)`,
      );
    const argument = defaultArgument(match[2]!);
    variables.set(
      name,
      argument === undefined ? { name } : { name, defaultValue: readDefault(name, argument) },
    );
  }
  for (const match of text.matchAll(SOURCE_READ)) {
    const name = match[1]!;
    if (!variables.has(name)) variables.set(name, { name });
  }
  if (variables.size === 0) throw new Error(`${file}: EnvSchema has no keys`);
  return { file, variables };
}

export function readEnvModule(file: string): EnvModule {
  return parseEnvModule(readFileSync(file, "utf8"), file);
}
