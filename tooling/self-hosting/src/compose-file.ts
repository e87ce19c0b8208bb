// Reads the repository's docker-compose.yml the way `docker compose` does: YAML with merge
// keys (`<<: *anchor`), then interpolation from the project's .env. Read-only: never writes
// or runs anything.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { interpolateDocument } from "./compose-interpolation";

export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const COMPOSE_FILE = join(REPO_ROOT, "docker-compose.yml");

export type DependsOn = Record<string, { condition: string }>;

export type ComposeService = {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; target?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  working_dir?: string;
  restart?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | (string | { path: string })[];
  depends_on?: string[] | DependsOn;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: (string | number | { target: number; published?: string | number })[];
  volumes?: (string | { type: string; source?: string; target?: string })[];
  container_name?: string;
  hostname?: string;
  [attribute: string]: unknown;
};

export type ComposeDocument = {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
  [key: string]: unknown;
};

/** The file as written: merge keys resolved, `${…}` not yet interpolated. */
export function readComposeDocument(path = COMPOSE_FILE): ComposeDocument {
  return parse(readFileSync(path, "utf8"), { merge: true }) as ComposeDocument;
}

/** The file as Compose runs it with `variables` as its .env; throws on a missing `${X:?}`. */
export function loadCompose(
  variables: Record<string, string | undefined>,
  path = COMPOSE_FILE,
): ComposeDocument {
  return interpolateDocument(readComposeDocument(path), variables);
}

/** `environment:` in either of its two spellings, as strings (a bare `- NAME` passes the host's). */
export function serviceEnvironment(service: ComposeService): Record<string, string | null> {
  const environment = service.environment ?? {};
  if (Array.isArray(environment))
    return Object.fromEntries(
      environment.map((entry) => {
        const at = entry.indexOf("=");
        return at === -1 ? [entry, null] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [
      name,
      value === null ? null : String(value),
    ]),
  );
}

export function dependencies(service: ComposeService): DependsOn {
  const dependsOn = service.depends_on ?? {};
  if (Array.isArray(dependsOn))
    return Object.fromEntries(dependsOn.map((name) => [name, { condition: "service_started" }]));
  return dependsOn;
}

export function envFiles(service: ComposeService): string[] {
  const files =
    service.env_file === undefined
      ? []
      : Array.isArray(service.env_file)
        ? service.env_file
        : [service.env_file];
  return files.map((file) => (typeof file === "string" ? file : file.path));
}

/** Services built from this repository (they have a `build:`), i.e. Pictograph's own. */
export function pictographServices(compose: ComposeDocument): [string, ComposeService][] {
  return Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
}

/** A service runs once and exits (migrations, bucket creation) rather than staying up. */
export function isOneShot(service: ComposeService): boolean {
  return service.restart === "no";
}
