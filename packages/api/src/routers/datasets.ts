import {
  createDataset,
  deleteDataset,
  getDataset,
  listDatasets,
  replaceClasses,
  updateDataset,
} from "@pictograph/db";
import {
  DatasetCreateSchema,
  DatasetRefSchema,
  DatasetSchema,
  DatasetUpdateSchema,
  PageParamsSchema,
  pageSchema,
} from "@pictograph/schema";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { notFound } from "../errors";
import { adminProcedure, memberProcedure, viewerProcedure } from "../trpc";
import { toDataset } from "../wire";
import { requireDataset } from "./scope";

const tag = "datasets";

export const datasetsRouter = {
  create: memberProcedure
    .meta({
      rest: { method: "POST", path: "/datasets", status: 201, summary: "Create a dataset", tag },
    })
    .input(DatasetCreateSchema)
    .output(DatasetSchema)
    .mutation(async ({ ctx, input }) => {
      const { db } = ctx.services;
      const workspaceId = ctx.caller.workspaceId;
      await db.transaction(async (tx) => {
        const dataset = await createDataset(tx, {
          workspaceId,
          name: input.name,
          description: input.description,
        });
        if (input.classes.length)
          await replaceClasses(tx, { datasetId: dataset.id, classes: input.classes });
      });
      return toDataset((await getDataset(db, { workspaceId, name: input.name }))!);
    }),

  list: viewerProcedure
    .meta({ rest: { method: "GET", path: "/datasets", summary: "List datasets, by name", tag } })
    .input(PageParamsSchema)
    .output(pageSchema(DatasetSchema))
    .query(async ({ ctx, input }) => {
      const page = await listDatasets(ctx.services.db, {
        workspaceId: ctx.caller.workspaceId,
        after: input.cursor,
        limit: input.limit,
      });
      return { data: page.items.map(toDataset), next_cursor: page.nextCursor };
    }),

  get: viewerProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/datasets/{dataset}",
        summary: "Get a dataset with image counts by status",
        tag,
      },
    })
    .input(DatasetRefSchema)
    .output(DatasetSchema)
    .query(async ({ ctx, input }) => toDataset(await requireDataset(ctx, input.dataset))),

  update: memberProcedure
    .meta({
      rest: {
        method: "PATCH",
        path: "/datasets/{dataset}",
        summary: "Rename or re-describe a dataset",
        tag,
      },
    })
    .input(DatasetUpdateSchema)
    .output(DatasetSchema)
    .mutation(async ({ ctx, input }) => {
      const workspaceId = ctx.caller.workspaceId;
      const updated = await updateDataset(ctx.services.db, {
        workspaceId,
        name: input.dataset,
        newName: input.name,
        description: input.description,
      });
      if (!updated) return notFound(`dataset "${input.dataset}"`);
      return toDataset((await getDataset(ctx.services.db, { workspaceId, name: updated.name }))!);
    }),

  delete: adminProcedure
    .meta({
      rest: {
        method: "DELETE",
        path: "/datasets/{dataset}",
        status: 204,
        summary: "Delete a dataset with its images, annotations, exports and imports",
        tag,
      },
    })
    .input(DatasetRefSchema)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      const deleted = await deleteDataset(ctx.services.db, {
        workspaceId: ctx.caller.workspaceId,
        name: input.dataset,
      });
      if (!deleted) return notFound(`dataset "${input.dataset}"`);
      // Its files (images, export ZIPs) are now unreferenced: storage garbage collection removes them.
    }),
} satisfies TRPCRouterRecord;
