// Image metadata. Bytes go up through PUT /api/v1/datasets/{dataset}/images/{path} and come
// down through GET /api/v1/datasets/{dataset}/image-files/{path} (see ../http/images.ts).
import { deleteImage, getImage, listClasses, listImages, updateImage } from "@pictograph/db";
import {
  ImageListSchema,
  ImageRefSchema,
  ImageSchema,
  ImageUpdateSchema,
  pageSchema,
} from "@pictograph/schema";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { fail, notFound } from "../errors";
import { adminProcedure, memberProcedure, viewerProcedure } from "../trpc";
import { toImage } from "../wire";
import { requireDataset } from "./scope";

const tag = "images";

export const imagesRouter = {
  list: viewerProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/datasets/{dataset}/images",
        summary: "List images by path, with filters",
        tag,
      },
    })
    .input(ImageListSchema)
    .output(pageSchema(ImageSchema))
    .query(async ({ ctx, input }) => {
      const dataset = await requireDataset(ctx, input.dataset);
      let classId: string | undefined;
      if (input.class_name !== undefined) {
        const match = (await listClasses(ctx.services.db, { datasetId: dataset.id })).find(
          (c) => c.name === input.class_name,
        );
        if (!match)
          return fail(
            "validation_error",
            `class "${input.class_name}" does not exist in dataset "${dataset.name}"`,
          );
        classId = match.id;
      }
      const page = await listImages(ctx.services.db, {
        datasetId: dataset.id,
        status: input.status,
        split: input.split,
        classId,
        after: input.cursor,
        limit: input.limit,
      });
      return {
        data: page.items.map((row) => toImage(row, dataset.name)),
        next_cursor: page.nextCursor,
      };
    }),

  get: viewerProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/datasets/{dataset}/images/{path+}",
        summary: "Get an image's metadata",
        tag,
      },
    })
    .input(ImageRefSchema)
    .output(ImageSchema)
    .query(async ({ ctx, input }) => {
      const dataset = await requireDataset(ctx, input.dataset);
      const image = await getImage(ctx.services.db, { datasetId: dataset.id, path: input.path });
      return image ? toImage(image, dataset.name) : notFound(`image "${input.path}"`);
    }),

  update: memberProcedure
    .meta({
      rest: {
        method: "PATCH",
        path: "/datasets/{dataset}/images/{path+}",
        summary: "Set an image's status, split or tags",
        tag,
      },
    })
    .input(ImageUpdateSchema)
    .output(ImageSchema)
    .mutation(async ({ ctx, input }) => {
      const dataset = await requireDataset(ctx, input.dataset);
      const image = await updateImage(ctx.services.db, {
        datasetId: dataset.id,
        path: input.path,
        status: input.status,
        split: input.split,
        tags: input.tags,
      });
      return image ? toImage(image, dataset.name) : notFound(`image "${input.path}"`);
    }),

  delete: adminProcedure
    .meta({
      rest: {
        method: "DELETE",
        path: "/datasets/{dataset}/images/{path+}",
        status: 204,
        summary: "Delete an image, its file and its annotations",
        tag,
      },
    })
    .input(ImageRefSchema)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      const dataset = await requireDataset(ctx, input.dataset);
      const deleted = await deleteImage(ctx.services.db, {
        datasetId: dataset.id,
        path: input.path,
      });
      if (!deleted) return notFound(`image "${input.path}"`);
      if (deleted.blobKey) await ctx.services.storage.delete(deleted.blobKey);
    }),
} satisfies TRPCRouterRecord;
