import { DbReferenceError, getImageAnnotations, replaceAnnotations } from "@pictograph/db";
import {
  AnnotationsBulkReplaceSchema,
  AnnotationsReplaceSchema,
  ImageAnnotationsSchema,
  ImageRefSchema,
  type Annotation,
} from "@pictograph/schema";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { notFound } from "../errors";
import { memberProcedure, viewerProcedure } from "../trpc";
import { requireDataset } from "./scope";

const tag = "annotations";

// z_order and instance_id are 32-bit integer columns, while @pictograph/schema accepts any
// safe integer; past 32 bits the database refused them as a 500. Refused here with a 422
// until the schema itself says z.int32().
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

function refuseUnstorableNumbers(
  annotations: Annotation[],
  path: (string | number)[],
  ctx: z.RefinementCtx,
) {
  annotations.forEach((annotation, i) => {
    const fields = {
      z_order: annotation.z_order,
      instance_id: annotation.type === "keypoint" ? annotation.instance_id : null,
    };
    for (const [field, value] of Object.entries(fields)) {
      if (value !== null && (value < INT32.min || value > INT32.max))
        ctx.addIssue({
          code: "custom",
          path: [...path, i, field],
          message: `${field} must be between ${INT32.min} and ${INT32.max}`,
        });
    }
  });
}

const ReplaceInputSchema = AnnotationsReplaceSchema.superRefine((input, ctx) =>
  refuseUnstorableNumbers(input.annotations, ["annotations"], ctx),
);
const BulkReplaceInputSchema = AnnotationsBulkReplaceSchema.superRefine((input, ctx) =>
  input.images.forEach((image, i) =>
    refuseUnstorableNumbers(image.annotations, ["images", i, "annotations"], ctx),
  ),
);

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
    .input(ReplaceInputSchema)
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
    .input(BulkReplaceInputSchema)
    .output(z.object({ images: z.int(), annotations: z.int() }))
    .mutation(async ({ ctx, input }) => {
      const dataset = await requireDataset(ctx, input.dataset);
      return replaceAnnotations(ctx.services.db, { datasetId: dataset.id, images: input.images });
    }),
} satisfies TRPCRouterRecord;
