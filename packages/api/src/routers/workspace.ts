import { RoleSchema, WorkspaceNameSchema } from "@pictograph/schema";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { viewerProcedure } from "../trpc";

export const workspaceRouter = {
  me: viewerProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/me",
        summary: "The workspace and role the credentials act as",
        tag: "workspace",
      },
    })
    .input(z.object({}).optional())
    .output(
      z.object({
        workspace: WorkspaceNameSchema,
        role: RoleSchema,
        auth: z.enum(["api_key", "session"]),
      }),
    )
    .query(({ ctx }) => ({
      workspace: ctx.caller.workspaceName,
      role: ctx.caller.role,
      auth: ctx.caller.apiKeyId ? ("api_key" as const) : ("session" as const),
    })),
} satisfies TRPCRouterRecord;
