// `pictograph login`: checks a server URL and API key against the server, then saves them
// for the other commands (config.ts). The key comes from --api-key, PICTOGRAPH_API_KEY,
// standard input when it is piped, or a prompt on a terminal — never echoed.
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { Client } from "@pictograph/sdk";
import { Command } from "commander";
import { saveLogin } from "../config";
import { env } from "../env";
import { CliError, EXIT } from "../exit-codes";
import { log, printJson } from "../output";

type LoginOptions = { url?: string; apiKey?: string; json?: boolean };

export function loginCommand(): Command {
  return new Command("login")
    .description("save the server URL and an API key for the other commands")
    .option("--url <url>", "the server, e.g. http://localhost:3000 (default: PICTOGRAPH_URL)")
    .option(
      "--api-key <key>",
      "the API key (default: PICTOGRAPH_API_KEY, piped standard input, or a prompt)",
    )
    .option("--json", "print the login as JSON (never the key)")
    .action(async (options: LoginOptions) => {
      const url = options.url?.trim() || env.url() || (await ask("Server URL: ", false));
      const apiKey =
        options.apiKey?.trim() ||
        env.apiKey() ||
        (await readPipedKey()) ||
        (await ask("API key: ", true));
      if (!url) throw new CliError("no server URL: pass --url or set PICTOGRAPH_URL", EXIT.usage);
      if (!apiKey)
        throw new CliError(
          "no API key: pass --api-key, set PICTOGRAPH_API_KEY or pipe it in",
          EXIT.usage,
        );
      const client = new Client({ baseUrl: url, apiKey });
      const me = await client.workspace.me();
      const path = await saveLogin({ url: client.baseUrl, api_key: apiKey });
      if (options.json)
        printJson({
          url: client.baseUrl,
          workspace: me.workspace,
          role: me.role,
          config_path: path,
        });
      else
        log(
          `logged in to ${client.baseUrl}: workspace "${me.workspace}", role ${me.role}; saved to ${path}`,
        );
    });
}

/** The key piped on standard input (`… | pictograph login`), if any. */
async function readPipedKey(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  let text = "";
  for await (const chunk of process.stdin) text += String(chunk);
  return text.trim() || undefined;
}

/** A question on a terminal; nothing anywhere else. A secret answer is not echoed. */
async function ask(question: string, secret: boolean): Promise<string | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const prompt = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = prompt.question(question);
    muted = secret;
    const value = (await answer).trim();
    if (secret) process.stderr.write("\n");
    return value || undefined;
  } finally {
    prompt.close();
  }
}
