// Workspace scoping: every dataset a procedure touches is looked up by (caller's workspace,
// name), so another workspace's dataset is simply not found — a 404, never a 403.
import { getDataset } from "@pictograph/db";
import { notFound } from "../errors";
import type { ApiContext, Caller } from "../trpc";

export type ScopedContext = ApiContext & { caller: Caller };

export async function requireDataset(ctx: ScopedContext, name: string) {
  const dataset = await getDataset(ctx.services.db, { workspaceId: ctx.caller.workspaceId, name });
  return dataset ?? notFound(`dataset "${name}"`);
}
