// Instance administration: the operations behind `pnpm admin` and first-start provisioning.
// They run either directly on a database (production, or embedded when no server holds it)
// or inside the running server through its admin route.
import {
  createApiKey,
  createUser,
  createWorkspace,
  getUserByEmail,
  getWorkspaceByName,
  setMembership,
  type DbOrTx,
} from "@pictograph/db";
import { RoleSchema, WorkspaceNameSchema, type Role } from "@pictograph/schema";
import { z } from "zod";
import { generateApiKey, hashPassword } from "./auth/secrets";
import { ApiError } from "./errors";

export const AdminCommandSchema = z.discriminatedUnion("command", [
  z.object({ command: z.literal("create-workspace"), name: WorkspaceNameSchema }),
  z.object({
    command: z.literal("create-user"),
    email: z.email({ error: "email must be an email address" }),
    password: z.string().min(8, { error: "password must be at least 8 characters" }).max(1000),
    workspace: WorkspaceNameSchema,
    role: RoleSchema,
  }),
  z.object({
    command: z.literal("create-api-key"),
    workspace: WorkspaceNameSchema,
    role: RoleSchema,
    name: z.string().min(1).max(120).default("cli"),
  }),
]);
export type AdminCommand = z.input<typeof AdminCommandSchema>;

export type AdminResult = { message: string; key?: string };

export async function runAdminCommand(db: DbOrTx, input: AdminCommand): Promise<AdminResult> {
  const command = AdminCommandSchema.parse(input);
  switch (command.command) {
    case "create-workspace": {
      const workspace = await createWorkspace(db, { name: command.name });
      return { message: `created workspace "${workspace.name}"` };
    }
    case "create-user": {
      const workspace = await requireWorkspace(db, command.workspace);
      const existing = await getUserByEmail(db, { email: command.email });
      const user =
        existing ??
        (await createUser(db, {
          email: command.email,
          passwordHash: await hashPassword(command.password),
        }));
      await setMembership(db, { workspaceId: workspace.id, userId: user.id, role: command.role });
      return {
        message: `${existing ? "added existing user" : "created user"} ${command.email} to workspace "${workspace.name}" as ${command.role}`,
      };
    }
    case "create-api-key": {
      const workspace = await requireWorkspace(db, command.workspace);
      const { key } = await issueApiKey(db, {
        workspaceId: workspace.id,
        role: command.role,
        name: command.name,
      });
      return {
        message: `created ${command.role} API key "${command.name}" for workspace "${workspace.name}"`,
        key,
      };
    }
  }
}

async function requireWorkspace(db: DbOrTx, name: string) {
  const workspace = await getWorkspaceByName(db, { name });
  if (!workspace)
    throw new ApiError(
      "not_found",
      `workspace "${name}" not found; create it with: pnpm admin create-workspace ${name}`,
    );
  return workspace;
}

export async function issueApiKey(
  db: DbOrTx,
  params: { workspaceId: string; role: Role; name: string },
) {
  const secret = generateApiKey();
  await createApiKey(db, { ...params, prefix: secret.prefix, hash: secret.hash });
  return { key: secret.key };
}
