import { DbReferenceError, getImageAnnotations, replaceAnnotations } from "@pictograph/db";
import {
  AnnotationsBulkReplaceSchema,
  AnnotationsReplaceSchema,
  ImageAnnotationsSchema,
  ImageRefSchema,
} from "@pictograph/schema";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { notFound } from "../errors";
import { memberProcedure, viewerProcedure } from "../trpc";
import { requireDataset } from "./scope";

const tag = "annotations";

export const annotationsRouter = {
  get: viewerProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/datasets/{dataset}/annotations/{path+}",
        summary: "An image's annotations, in order",
        tag,
      },
    })
    .input(ImageRefSchema)
    .output(ImageAnnotationsSchema)
    .query(async ({ ctx, input }) => {
      const dataset = await requireDataset(ctx, input.dataset);
      const annotations = await getImageAnnotations(ctx.services.db, {
        datasetId: dataset.id,
        path: input.path,
      });
      return annotations ? { path: input.path, annotations } : notFound(`image "${input.path}"`);
    }),

  replace: memberProcedure
    .meta({
      rest: {
        method: "PUT",
        path: "/datasets/{dataset}/annotations/{path+}",
        summary: "Replace an image's annotations (an empty list clears them)",
        tag,
      },
    })
    .input(AnnotationsReplaceSchema)
    .output(ImageAnnotationsSchema)
    .mutation(async ({ ctx, input }) => {
      const dataset = await requireDataset(ctx, input.dataset);
      const db = ctx.services.db;
      try {
        await replaceAnnotations(db, {
          datasetId: dataset.id,
          images: [{ path: input.path, annotations: input.annotations }],
        });
      } catch (error) {
        // The image is named by the URL: a missing one is a missing resource, not bad input.
        if (error instanceof DbReferenceError && error.missing.imagePaths.length)
          return notFound(`image "${input.path}"`);
        throw error;
      }
      return {
        path: input.path,
        annotations: (await getImageAnnotations(db, { datasetId: dataset.id, path: input.path }))!,
      };
    }),

  bulkReplace: memberProcedure
    .meta({
      rest: {
        method: "PUT",
        path: "/datasets/{dataset}/annotations",
        summary: "Replace the annotations of many images at once, all or none",
        tag,
      },
    })
    .input(AnnotationsBulkReplaceSchema)
    .output(z.object({ images: z.int(), annotations: z.int() }))
    .mutation(async ({ ctx, input }) => {
      const dataset = await requireDataset(ctx, input.dataset);
      return replaceAnnotations(ctx.services.db, { datasetId: dataset.id, images: input.images });
    }),
} satisfies TRPCRouterRecord;
