// `pnpm admin`: create workspaces, users and API keys.
//   pnpm admin create-workspace NAME
//   pnpm admin create-user EMAIL --workspace NAME --role ROLE [--password P]
//   pnpm admin create-api-key --workspace NAME --role ROLE [--name LABEL]
// With DATABASE_URL it writes to PostgreSQL directly. In embedded mode it opens the data
// directory itself when no server runs, and otherwise asks the running server (which holds
// the database) through its admin route, authenticated by the instance secret.
import { runAdminCommand, type AdminCommand } from "@pictograph/api";
import { createDb, migrate } from "@pictograph/db";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseAdminEnv } from "./env";
import { SERVER_FILE } from "./server/server-file";

const USAGE = `usage:
  pnpm admin create-workspace NAME
  pnpm admin create-user EMAIL --workspace NAME --role viewer|member|admin [--password P]
  pnpm admin create-api-key --workspace NAME --role viewer|member|admin [--name LABEL]`;

function parseCommand(argv: string[]): AdminCommand & { generatedPassword?: string } {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      workspace: { type: "string" },
      role: { type: "string" },
      password: { type: "string" },
      name: { type: "string" },
    },
  });
  const [command, argument] = positionals;
  const role = values.role as "viewer" | "member" | "admin";
  switch (command) {
    case "create-workspace":
      if (!argument) throw new UsageError("create-workspace needs a NAME");
      return { command, name: argument };
    case "create-user": {
      if (!argument || !values.workspace || !values.role)
        throw new UsageError("create-user needs EMAIL, --workspace and --role");
      const generatedPassword = values.password ? undefined : randomBytes(12).toString("base64url");
      return {
        command,
        email: argument,
        workspace: values.workspace,
        role,
        password: values.password ?? generatedPassword!,
        generatedPassword,
      };
    }
    case "create-api-key":
      if (!values.workspace || !values.role)
        throw new UsageError("create-api-key needs --workspace and --role");
      return { command, workspace: values.workspace, role, name: values.name ?? "cli" };
    default:
      throw new UsageError(command ? `unknown command "${command}"` : "no command given");
  }
}

class UsageError extends Error {}

async function run(command: AdminCommand): Promise<{ message: string; key?: string }> {
  const env = parseAdminEnv();
  if (env.DATABASE_URL) return runDirectly(command, env.DATABASE_URL, null);
  try {
    return await runDirectly(command, null, env.dataDir);
  } catch (error) {
    if (!/Another Pictograph process/.test((error as Error).message)) throw error;
  }
  // The server holds the embedded database: ask it.
  const serverFile = join(env.dataDir, SERVER_FILE);
  if (!existsSync(serverFile))
    throw new Error(
      `the embedded database in ${env.dataDir} is in use, but no running server was found to ask`,
    );
  const { url } = JSON.parse(readFileSync(serverFile, "utf8")) as { url: string };
  const secret = env.PICTOGRAPH_SECRET ?? readFileSync(join(env.dataDir, "secret"), "utf8").trim();
  const response = await fetch(`${url}/api/v1/admin`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify(command),
  });
  const body = (await response.json()) as {
    message?: string;
    key?: string;
    error?: { message: string };
  };
  if (!response.ok)
    throw new Error(body.error?.message ?? `the server answered ${response.status}`);
  return body as { message: string; key?: string };
}

async function runDirectly(
  command: AdminCommand,
  databaseUrl: string | null,
  dataDir: string | null,
) {
  const handle = await createDb({ databaseUrl, dataDir });
  try {
    await migrate(handle);
    return await runAdminCommand(handle.db, command);
  } finally {
    await handle.close();
  }
}

try {
  const command = parseCommand(process.argv.slice(2));
  const result = await run(command);
  console.error(result.message);
  if (result.key) {
    console.log(result.key);
    console.error("this key is shown once: store it now");
  }
  if (command.generatedPassword) {
    console.log(command.generatedPassword);
    console.error("the generated password is shown once: store it now");
  }
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`error: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    const issues = (error as { issues?: { message: string }[] }).issues;
    console.error(
      `error: ${issues ? issues.map((i) => i.message).join("; ") : (error as Error).message}`,
    );
    process.exitCode = 1;
  }
}
