// The .env an operator writes by following .env.example's first instruction: a copy of it
// with the empty secrets filled in. The checks read docker-compose.yml through it. The values
// are test values, never used outside these checks.
import { envFileVariables, readEnvExample, type EnvDeclaration } from "./env-example";

/** `NAME=` lines with no value: what the operator must fill in before `docker compose up`. */
export function requiredSecrets(declarations: EnvDeclaration[]): string[] {
  return declarations.filter((d) => !d.commented && d.value === "").map((d) => d.name);
}

export function sampleDotEnv(declarations = readEnvExample()): Record<string, string> {
  const filled: Record<string, string> = {};
  for (const name of requiredSecrets(declarations))
    filled[name] = `test-${name.toLowerCase().replaceAll("_", "-")}`;
  return { ...envFileVariables(declarations), ...filled };
}
