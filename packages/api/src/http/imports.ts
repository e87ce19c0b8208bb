// POST /api/v1/datasets/{dataset}/imports?format=F with a ZIP body: stores the upload, then
// records the import and queues its job in one transaction. 202 with the pending import.
import { createImport, getDataset } from "@pictograph/db";
import { DatasetNameSchema, FormatSchema } from "@pictograph/schema";
import { randomUUID } from "node:crypto";
import { fail, notFound } from "../errors";
import { requireRole, type ApiContext } from "../trpc";
import { toImport } from "../wire";
import { requestBodyChunks, UploadInterruptedError } from "./request-body";
import { parseOrFail } from "./responses";

export async function uploadImport(ctx: ApiContext, request: Request, datasetParam: string) {
  const caller = requireRole(ctx, "member");
  const datasetName = parseOrFail(DatasetNameSchema, datasetParam);
  const format = parseOrFail(
    FormatSchema,
    new URL(request.url).searchParams.get("format") ?? undefined,
  );
  const { db, storage } = ctx.services;
  const dataset =
    (await getDataset(db, { workspaceId: caller.workspaceId, name: datasetName })) ??
    notFound(`dataset "${datasetName}"`);
  if (!request.body) fail("bad_request", "send the ZIP file as the request body");
  const blobKey = `imports/${dataset.id}/${randomUUID()}.zip`;
  try {
    await storage.put(blobKey, requestBodyChunks(request.body!), {
      contentType: "application/zip",
    });
  } catch (error) {
    if (error instanceof UploadInterruptedError) fail("bad_request", error.message);
    throw error;
  }
  try {
    const row = await db.transaction(async (tx) => {
      const created = await createImport(tx, {
        workspaceId: caller.workspaceId,
        datasetId: dataset.id,
        format,
        blobKey,
      });
      await ctx.services.enqueue(tx, "import.run", { importId: created.id });
      return created;
    });
    return Response.json(toImport(row, dataset.name), { status: 202 });
  } catch (error) {
    await storage.delete(blobKey).catch(() => undefined);
    throw error;
  }
}
