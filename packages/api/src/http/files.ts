// GET /api/v1/files/exports/{id}?expires=…&signature=…: serves a completed export's ZIP for
// local storage. The signature is the credential (links work without an API key); a
// tampered link is a 403, an expired one a 410, and deleting the export cuts it off.
import { getDatasetById, getExportById } from "@pictograph/db";
import { checkDownloadSignature, exportFileName } from "../downloads";
import { fail, notFound } from "../errors";
import type { ApiContext } from "../trpc";
import { streamBlob } from "./responses";

export async function downloadExportFile(ctx: ApiContext, request: Request, exportId: string) {
  const { db, storage, secret } = ctx.services;
  const url = new URL(request.url);
  const row = /^[0-9a-f-]{36}$/.test(exportId) ? await getExportById(db, { exportId }) : null;
  if (!row?.blobKey || row.status !== "completed") return notFound("export");
  const check = checkDownloadSignature({
    secret,
    exportId: row.id,
    blobKey: row.blobKey,
    expires: url.searchParams.get("expires"),
    signature: url.searchParams.get("signature"),
    now: ctx.services.now(),
  });
  if (check === "tampered")
    return fail("forbidden", "the download link is not valid: ask for a new one");
  if (check === "expired") return fail("gone", "the download link has expired: ask for a new one");
  const dataset = await getDatasetById(db, { datasetId: row.datasetId });
  const blobKey = row.blobKey;
  return streamBlob(storage, request, {
    key: blobKey,
    size: row.sizeBytes ?? 0,
    contentType: "application/zip",
    etag: row.sha256,
    fileName: exportFileName(dataset?.name ?? "dataset", row),
    cacheControl: "private, no-store",
    stillValid: async () => (await getExportById(db, { exportId: row.id }))?.blobKey === blobKey,
  });
}
