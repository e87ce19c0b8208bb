// The saved login: `<config dir>/config.json` holding the server URL and API key, readable
// by the user only (0600, in a 0700 folder). PICTOGRAPH_URL and PICTOGRAPH_API_KEY override
// it. Never prints the key.
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Client } from "@pictograph/sdk";
import { env } from "./env";
import { CliError } from "./exit-codes";

export type SavedLogin = { url: string; api_key: string };

export function configPath(): string {
  return join(env.configDir(), "config.json");
}

export async function readLogin(): Promise<SavedLogin | null> {
  let text: string;
  try {
    text = await readFile(configPath(), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CliError(`cannot read ${configPath()}: ${(error as Error).message}`);
  }
  try {
    const saved = JSON.parse(text) as Partial<SavedLogin>;
    return typeof saved.url === "string" && typeof saved.api_key === "string"
      ? { url: saved.url, api_key: saved.api_key }
      : null;
  } catch {
    throw new CliError(`${configPath()} is not valid JSON: run \`pictograph login\` again`);
  }
}

export async function saveLogin(login: SavedLogin): Promise<string> {
  const path = configPath();
  await mkdir(env.configDir(), { recursive: true, mode: 0o700 });
  // Written beside, then renamed: never a half-written file, never readable by others.
  const partial = `${path}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  await chmod(partial, 0o600);
  await rename(partial, path);
  return path;
}

/** A client for the server of the environment, else of the saved login. */
export async function connect(): Promise<Client> {
  const saved = await readLogin();
  const url = env.url() ?? saved?.url;
  const apiKey = env.apiKey() ?? saved?.api_key;
  if (!url || !apiKey)
    throw new CliError(
      `not logged in: run \`pictograph login\`, or set ${[url ? null : "PICTOGRAPH_URL", apiKey ? null : "PICTOGRAPH_API_KEY"].filter(Boolean).join(" and ")}`,
    );
  return new Client({ baseUrl: url, apiKey });
}
