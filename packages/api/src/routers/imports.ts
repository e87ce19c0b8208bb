// Imports are created by uploading a ZIP (POST /api/v1/datasets/{dataset}/imports, see
// ../http/imports.ts) and run by a worker; these procedures follow their progress and report.
import { getImport, listImports } from "@pictograph/db";
import { DatasetNameSchema, ImportSchema } from "@pictograph/schema";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { notFound } from "../errors";
import { viewerProcedure } from "../trpc";
import { toImport } from "../wire";
import { requireDataset } from "./scope";

const tag = "imports";

export const importsRouter = {
  list: viewerProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/datasets/{dataset}/imports",
        summary: "The dataset's imports, newest first",
        tag,
      },
    })
    .input(z.object({ dataset: DatasetNameSchema }))
    .output(z.array(ImportSchema))
    .query(async ({ ctx, input }) => {
      const dataset = await requireDataset(ctx, input.dataset);
      const rows = await listImports(ctx.services.db, { datasetId: dataset.id, limit: 100 });
      return rows.map((row) => toImport(row, dataset.name));
    }),

  get: viewerProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/datasets/{dataset}/imports/{id}",
        summary: "An import's status, progress and report",
        tag,
      },
    })
    .input(
      z.object({ dataset: DatasetNameSchema, id: z.uuid({ error: "id must be an import id" }) }),
    )
    .output(ImportSchema)
    .query(async ({ ctx, input }) => {
      const dataset = await requireDataset(ctx, input.dataset);
      const row = await getImport(ctx.services.db, {
        workspaceId: ctx.caller.workspaceId,
        importId: input.id,
      });
      return row && row.datasetId === dataset.id
        ? toImport(row, dataset.name)
        : notFound(`import ${input.id}`);
    }),
} satisfies TRPCRouterRecord;
