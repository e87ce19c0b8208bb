import { listClasses, replaceClasses } from "@pictograph/db";
import { ClassesReplaceSchema, ClassSchema, DatasetRefSchema } from "@pictograph/schema";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { memberProcedure, viewerProcedure } from "../trpc";
import { toClass } from "../wire";
import { requireDataset } from "./scope";

const tag = "classes";

export const classesRouter = {
  list: viewerProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/datasets/{dataset}/classes",
        summary: "The dataset's classes, in order",
        tag,
      },
    })
    .input(DatasetRefSchema)
    .output(z.array(ClassSchema))
    .query(async ({ ctx, input }) => {
      const dataset = await requireDataset(ctx, input.dataset);
      return (await listClasses(ctx.services.db, { datasetId: dataset.id })).map(toClass);
    }),

  replace: memberProcedure
    .meta({
      rest: {
        method: "PUT",
        path: "/datasets/{dataset}/classes",
        summary:
          "Replace the class list; its order defines export class indices. Classes still in use cannot be removed.",
        tag,
      },
    })
    .input(ClassesReplaceSchema)
    .output(z.array(ClassSchema))
    .mutation(async ({ ctx, input }) => {
      const dataset = await requireDataset(ctx, input.dataset);
      return (
        await replaceClasses(ctx.services.db, { datasetId: dataset.id, classes: input.classes })
      ).map(toClass);
    }),
} satisfies TRPCRouterRecord;
