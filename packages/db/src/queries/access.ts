// Who may act in a workspace: users and their memberships, web sessions, and API keys.
// Secrets arrive hashed; nothing here sees a raw key, token or password.
import type { Role } from "@pictograph/schema";
import { and, asc, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { translateConflicts } from "../errors";
import { apiKeys, memberships, sessions, users, workspaces } from "../schema";

/** The identity a request acts as, once its key or session is verified. */
export type Principal = {
  workspaceId: string;
  workspaceName: string;
  role: Role;
  userId: string | null;
  apiKeyId: string | null;
};

export async function createUser(
  db: DbOrTx,
  params: { email: string; passwordHash: string | null; displayName?: string },
): Promise<{ id: string; email: string }> {
  const [row] = await translateConflicts(
    db
      .insert(users)
      .values({
        email: params.email,
        passwordHash: params.passwordHash,
        displayName: params.displayName ?? "",
      })
      .returning({ id: users.id, email: users.email }),
    { users_email_key: `a user with email ${params.email} already exists` },
  );
  return row!;
}

export async function getUserByEmail(db: DbOrTx, params: { email: string }) {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      passwordHash: users.passwordHash,
      displayName: users.displayName,
    })
    .from(users)
    .where(sql`lower(${users.email}) = lower(${params.email})`);
  return row ?? null;
}

/** Adds the user to the workspace, or changes their role there. */
export async function setMembership(
  db: DbOrTx,
  params: { workspaceId: string; userId: string; role: Role },
) {
  await db
    .insert(memberships)
    .values(params)
    .onConflictDoUpdate({
      target: [memberships.workspaceId, memberships.userId],
      set: { role: params.role },
    });
}

/** The workspaces a user belongs to, by name. */
export async function listMemberships(db: DbOrTx, params: { userId: string }) {
  return db
    .select({ workspaceId: workspaces.id, workspaceName: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, params.userId))
    .orderBy(asc(workspaces.name));
}

export async function createSession(
  db: DbOrTx,
  params: { userId: string; workspaceId: string; tokenHash: string; expiresAt: Date },
) {
  await db.insert(sessions).values(params);
}

/** Switches a session to another workspace of the same user. */
export async function setSessionWorkspace(
  db: DbOrTx,
  params: { tokenHash: string; workspaceId: string },
) {
  await db
    .update(sessions)
    .set({ workspaceId: params.workspaceId })
    .where(eq(sessions.tokenHash, params.tokenHash));
}

export async function deleteSession(db: DbOrTx, params: { tokenHash: string }) {
  await db.delete(sessions).where(eq(sessions.tokenHash, params.tokenHash));
}

/** The principal of an unexpired session whose user still belongs to the session's workspace. */
export async function principalOfSession(
  db: DbOrTx,
  params: { tokenHash: string; now: Date },
): Promise<(Principal & { email: string }) | null> {
  const [row] = await db
    .select({
      workspaceId: workspaces.id,
      workspaceName: workspaces.name,
      role: memberships.role,
      userId: users.id,
      email: users.email,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(
      memberships,
      and(
        eq(memberships.userId, sessions.userId),
        eq(memberships.workspaceId, sessions.workspaceId),
      ),
    )
    .innerJoin(workspaces, eq(workspaces.id, sessions.workspaceId))
    .where(and(eq(sessions.tokenHash, params.tokenHash), gt(sessions.expiresAt, params.now)));
  return row ? { ...row, apiKeyId: null } : null;
}

export async function createApiKey(
  db: DbOrTx,
  params: {
    workspaceId: string;
    name: string;
    prefix: string;
    hash: string;
    role: Role;
    createdByUserId?: string | null;
  },
) {
  const [row] = await db.insert(apiKeys).values(params).returning(apiKeyColumns);
  return row!;
}

const apiKeyColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  role: apiKeys.role,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

export async function listApiKeys(db: DbOrTx, params: { workspaceId: string }) {
  return db
    .select(apiKeyColumns)
    .from(apiKeys)
    .where(eq(apiKeys.workspaceId, params.workspaceId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/** Revokes at once: the next request with the key is refused. Null when no such key. */
export async function revokeApiKey(
  db: DbOrTx,
  params: { workspaceId: string; apiKeyId: string; now: Date },
) {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${params.now})` })
    .where(and(eq(apiKeys.workspaceId, params.workspaceId), eq(apiKeys.id, params.apiKeyId)))
    .returning(apiKeyColumns);
  return row ?? null;
}

/** The principal of an unrevoked key. Records when it was last used, at most once a minute,
 * so that reads stay reads. */
export async function principalOfApiKey(
  db: DbOrTx,
  params: { hash: string; now: Date },
): Promise<Principal | null> {
  const [row] = await db
    .select({
      workspaceId: workspaces.id,
      workspaceName: workspaces.name,
      role: apiKeys.role,
      apiKeyId: apiKeys.id,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .where(and(eq(apiKeys.hash, params.hash), isNull(apiKeys.revokedAt)));
  if (!row) return null;
  if (!row.lastUsedAt || params.now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(apiKeys).set({ lastUsedAt: params.now }).where(eq(apiKeys.id, row.apiKeyId));
  }
  const { lastUsedAt: _lastUsedAt, ...principal } = row;
  return { ...principal, userId: null };
}
