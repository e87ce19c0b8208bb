// Workspace queries: the tenancy roots every other query hangs from.
import { eq } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { translateConflicts } from "../errors";
import { workspaces } from "../schema";

const workspaceColumns = {
  id: workspaces.id,
  name: workspaces.name,
  createdAt: workspaces.createdAt,
};
export type WorkspaceSummary = { id: string; name: string; createdAt: Date };

export async function createWorkspace(
  db: DbOrTx,
  params: { name: string },
): Promise<WorkspaceSummary> {
  const [row] = await translateConflicts(
    db.insert(workspaces).values({ name: params.name }).returning(workspaceColumns),
    { workspaces_name_key: `workspace "${params.name}" already exists` },
  );
  return row!;
}

export async function getWorkspaceByName(
  db: DbOrTx,
  params: { name: string },
): Promise<WorkspaceSummary | null> {
  const [row] = await db
    .select(workspaceColumns)
    .from(workspaces)
    .where(eq(workspaces.name, params.name));
  return row ?? null;
}
