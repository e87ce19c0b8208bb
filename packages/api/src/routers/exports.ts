// The published export API (DESIGN.md "The contract"). `create` only records the export and
// queues its build in one transaction; workers do the work.
import {
  createExport,
  deleteExport,
  DbConflictError,
  getExport,
  getExportByIdempotencyKey,
  listClasses,
  listExports,
  type ExportRow,
} from "@pictograph/db";
import {
  DownloadSchema,
  ExportCreateSchema,
  ExportListSchema,
  ExportRefSchema,
  ExportSchema,
  pageSchema,
} from "@pictograph/schema";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { signDownloadUrl } from "../downloads";
import { fail, notFound } from "../errors";
import { adminProcedure, memberProcedure, viewerProcedure } from "../trpc";
import { toExport } from "../wire";
import { requireDataset, type ScopedContext } from "./scope";

const tag = "exports";

async function withDownloadUrl(ctx: ScopedContext, row: ExportRow, datasetName: string) {
  const url =
    row.status === "completed" && row.blobKey
      ? (
          await signDownloadUrl({
            ...ctx.services,
            origin: ctx.origin,
            now: ctx.services.now(),
            datasetName,
            row,
          })
        ).url
      : null;
  return toExport(row, datasetName, url);
}

async function requireExport(ctx: ScopedContext, input: { dataset: string; name: string }) {
  const dataset = await requireDataset(ctx, input.dataset);
  const row = await getExport(ctx.services.db, {
    workspaceId: ctx.caller.workspaceId,
    datasetId: dataset.id,
    name: input.name,
  });
  return { dataset, row: row ?? notFound(`export "${input.name}" in dataset "${input.dataset}"`) };
}

export const exportsRouter = {
  create: memberProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/datasets/{dataset}/exports",
        status: 202,
        summary: "Create an export; it is built in the background (poll get until completed)",
        tag,
      },
    })
    .input(ExportCreateSchema)
    .output(ExportSchema)
    .mutation(async ({ ctx, input }) => {
      const dataset = await requireDataset(ctx, input.dataset);
      const { db } = ctx.services;
      if (input.class_filter) {
        const known = (await listClasses(db, { datasetId: dataset.id })).map((c) => c.name);
        const unknown = input.class_filter.filter((name) => !known.includes(name));
        if (unknown.length)
          fail(
            "validation_error",
            `class_filter names ${unknown.map((n) => JSON.stringify(n)).join(", ")}, not a class of dataset "${dataset.name}"; its classes are: ${known.map((n) => JSON.stringify(n)).join(", ") || "none"}`,
            { unknown_classes: unknown, valid_classes: known },
          );
      }
      const workspaceId = ctx.caller.workspaceId;
      const idempotencyKey = ctx.idempotencyKey;
      // A retry names the same export; a key reused for another one is the caller's mistake.
      const sameRequest = (earlier: ExportRow) =>
        earlier.datasetId === dataset.id && earlier.name === input.name
          ? withDownloadUrl(ctx, earlier, dataset.name)
          : fail(
              "conflict",
              `this Idempotency-Key was already used to create another export (${earlier.name}); send a new key`,
            );
      if (idempotencyKey) {
        const earlier = await getExportByIdempotencyKey(db, { workspaceId, idempotencyKey });
        if (earlier) return sameRequest(earlier);
      }
      try {
        const row = await db.transaction(async (tx) => {
          const created = await createExport(tx, {
            workspaceId,
            datasetId: dataset.id,
            name: input.name,
            format: input.format,
            includeImages: input.include_images,
            classFilter: input.class_filter,
            statusFilter: input.status_filter,
            idempotencyKey,
          });
          await ctx.services.enqueue(tx, "export.build", { exportId: created.id });
          return created;
        });
        return toExport(row, dataset.name, null);
      } catch (error) {
        // A retried create whose first attempt committed meanwhile: answer with that export.
        // Either unique constraint may be the one that fires (the key, or the name the same
        // request asked for), so any conflict is checked against the key.
        if (error instanceof DbConflictError && idempotencyKey) {
          const earlier = await getExportByIdempotencyKey(db, { workspaceId, idempotencyKey });
          if (earlier) return sameRequest(earlier);
        }
        throw error;
      }
    }),

  list: viewerProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/exports",
        summary: "List the workspace's exports, newest first",
        tag,
      },
    })
    .input(ExportListSchema)
    .output(pageSchema(ExportSchema))
    .query(async ({ ctx, input }) => {
      const datasetId = input.dataset ? (await requireDataset(ctx, input.dataset)).id : undefined;
      const page = await listExports(ctx.services.db, {
        workspaceId: ctx.caller.workspaceId,
        datasetId,
        status: input.status,
        after: input.cursor,
        limit: input.limit,
      });
      const data = await Promise.all(
        page.items.map((row) => withDownloadUrl(ctx, row, row.datasetName)),
      );
      return { data, next_cursor: page.nextCursor };
    }),

  get: viewerProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/datasets/{dataset}/exports/{name}",
        summary: "Get an export and its progress",
        tag,
      },
    })
    .input(ExportRefSchema)
    .output(ExportSchema)
    .query(async ({ ctx, input }) => {
      const { dataset, row } = await requireExport(ctx, input);
      return withDownloadUrl(ctx, row, dataset.name);
    }),

  download: viewerProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/datasets/{dataset}/exports/{name}/download",
        summary: "A fresh signed download URL for a completed export, valid 60 minutes",
        tag,
      },
    })
    .input(ExportRefSchema)
    .output(DownloadSchema)
    .query(async ({ ctx, input }) => {
      const { dataset, row } = await requireExport(ctx, input);
      if (row.status !== "completed" || !row.blobKey)
        return fail(
          "conflict",
          `export "${row.name}" is ${row.status}; it can be downloaded once completed`,
        );
      const signed = await signDownloadUrl({
        ...ctx.services,
        origin: ctx.origin,
        now: ctx.services.now(),
        datasetName: dataset.name,
        row,
      });
      return {
        url: signed.url,
        expires_at: signed.expiresAt.toISOString(),
        size_bytes: row.sizeBytes,
      };
    }),

  delete: adminProcedure
    .meta({
      rest: {
        method: "DELETE",
        path: "/datasets/{dataset}/exports/{name}",
        status: 204,
        summary:
          "Delete an export and its ZIP; a build in progress is cancelled, downloads in flight are cut off",
        tag,
      },
    })
    .input(ExportRefSchema)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      const { row } = await requireExport(ctx, input);
      const deleted = await deleteExport(ctx.services.db, { exportId: row.id });
      if (deleted?.blobKey) await ctx.services.storage.delete(deleted.blobKey);
    }),
} satisfies TRPCRouterRecord;
