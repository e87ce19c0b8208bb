import { createApiKey, listApiKeys, revokeApiKey } from "@pictograph/db";
import { ApiKeyCreatedSchema, ApiKeyCreateSchema, ApiKeySchema } from "@pictograph/schema";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { generateApiKey } from "../auth/secrets";
import { notFound } from "../errors";
import { adminProcedure } from "../trpc";
import { toApiKey } from "../wire";

const tag = "api keys";

export const apiKeysRouter = {
  list: adminProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api-keys",
        summary: "The workspace's API keys (never the keys themselves)",
        tag,
      },
    })
    .input(z.object({}).optional())
    .output(z.array(ApiKeySchema))
    .query(async ({ ctx }) =>
      (await listApiKeys(ctx.services.db, { workspaceId: ctx.caller.workspaceId })).map(toApiKey),
    ),

  create: adminProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api-keys",
        status: 201,
        summary: "Create an API key; the key is shown once, in this response",
        tag,
      },
    })
    .input(ApiKeyCreateSchema)
    .output(ApiKeyCreatedSchema)
    .mutation(async ({ ctx, input }) => {
      const secret = generateApiKey();
      const row = await createApiKey(ctx.services.db, {
        workspaceId: ctx.caller.workspaceId,
        name: input.name,
        role: input.role,
        prefix: secret.prefix,
        hash: secret.hash,
        createdByUserId: ctx.caller.userId,
      });
      return { ...toApiKey(row), key: secret.key };
    }),

  revoke: adminProcedure
    .meta({
      rest: {
        method: "DELETE",
        path: "/api-keys/{id}",
        summary: "Revoke an API key; it stops working at once",
        tag,
      },
    })
    .input(z.object({ id: z.uuid({ error: "id must be an API key id" }) }))
    .output(ApiKeySchema)
    .mutation(async ({ ctx, input }) => {
      const row = await revokeApiKey(ctx.services.db, {
        workspaceId: ctx.caller.workspaceId,
        apiKeyId: input.id,
        now: ctx.services.now(),
      });
      return row ? toApiKey(row) : notFound("API key");
    }),
} satisfies TRPCRouterRecord;
