// Reads .env.example: every configuration variable with its default and what it does.
// Convention (stated at the top of the file): `NAME=value` is set when the file is copied to
// .env; `# NAME=value` documents a variable left at its default, shown as the value. The
// comment lines right above a declaration describe it. Pure parsing plus one file read.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./compose-file";

export const ENV_EXAMPLE_FILE = join(REPO_ROOT, ".env.example");

export type EnvDeclaration = {
  name: string;
  value: string;
  /** `# NAME=value`: not set by a copied .env; the app (or compose) default applies. */
  commented: boolean;
  /** The comment lines above it, without `# `. */
  description: string;
  line: number;
};

const DECLARATION = /^(#\s?)?([A-Z][A-Z0-9_]*)=(.*)$/;

function unquote(value: string): string {
  const trimmed = value.trim();
  if (
    trimmed.length >= 2 &&
    (trimmed[0] === '"' || trimmed[0] === "'") &&
    trimmed.at(-1) === trimmed[0]
  )
    return trimmed.slice(1, -1);
  return trimmed;
}

export function parseEnvExample(text: string): EnvDeclaration[] {
  const declarations: EnvDeclaration[] = [];
  let description: string[] = [];
  let previous: EnvDeclaration | undefined;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trimEnd();
    const match = DECLARATION.exec(line);
    if (match) {
      // Declarations on consecutive lines share the comment above the first.
      const shared =
        description.length === 0 && previous?.line === index ? previous.description : "";
      previous = {
        name: match[2]!,
        value: unquote(match[3]!),
        commented: match[1] !== undefined,
        description: description.join(" ").trim() || shared,
        line: index + 1,
      };
      declarations.push(previous);
      description = [];
    } else if (line.startsWith("#")) {
      description.push(line.replace(/^#\s?/, ""));
    } else {
      description = [];
    }
  });
  return declarations;
}

export function readEnvExample(path = ENV_EXAMPLE_FILE): EnvDeclaration[] {
  return parseEnvExample(readFileSync(path, "utf8"));
}

/** What a .env made from the example passes on: the uncommented lines, as Compose reads them. */
export function envFileVariables(declarations: EnvDeclaration[]): Record<string, string> {
  return Object.fromEntries(declarations.filter((d) => !d.commented).map((d) => [d.name, d.value]));
}
