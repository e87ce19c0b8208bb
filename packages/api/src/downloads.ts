// Download URLs for export ZIPs: fresh on every call and valid 60 minutes. S3 storage signs
// its own (presigned GET); local storage is served by /api/v1/files/exports/<id>, signed here
// with an HMAC over the export id, its blob key and the expiry.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { ExportRow } from "@pictograph/db";
import type { BlobStore } from "@pictograph/storage";

export const DOWNLOAD_URL_SECONDS = 60 * 60;
export const FILES_PATH = "/api/v1/files/exports/";

export function exportFileName(
  datasetName: string,
  row: Pick<ExportRow, "name" | "format">,
): string {
  return `${datasetName}-${row.name}-${row.format}.zip`;
}

function signature(secret: string, exportId: string, blobKey: string, expires: number): string {
  return createHmac("sha256", secret)
    .update(`${exportId}\n${blobKey}\n${expires}`)
    .digest("base64url");
}

export async function signDownloadUrl(params: {
  storage: BlobStore;
  secret: string;
  origin: string;
  now: Date;
  datasetName: string;
  row: ExportRow;
}): Promise<{ url: string; expiresAt: Date }> {
  const { row } = params;
  if (!row.blobKey) throw new Error(`export ${row.id} has no stored ZIP`);
  const expires = Math.floor(params.now.getTime() / 1000) + DOWNLOAD_URL_SECONDS;
  const expiresAt = new Date(expires * 1000);
  const presigned = await params.storage.presignGet(row.blobKey, {
    expiresInSeconds: DOWNLOAD_URL_SECONDS,
    fileName: exportFileName(params.datasetName, row),
  });
  if (presigned) return { url: presigned, expiresAt };
  const query = new URLSearchParams({
    expires: String(expires),
    signature: signature(params.secret, row.id, row.blobKey, expires),
  });
  return { url: `${params.origin}${FILES_PATH}${row.id}?${query}`, expiresAt };
}

export type DownloadCheck = "valid" | "tampered" | "expired";

export function checkDownloadSignature(params: {
  secret: string;
  exportId: string;
  blobKey: string;
  expires: string | null;
  signature: string | null;
  now: Date;
}): DownloadCheck {
  const expires = Number(params.expires);
  if (!params.signature || !Number.isInteger(expires)) return "tampered";
  const expected = Buffer.from(signature(params.secret, params.exportId, params.blobKey, expires));
  const given = Buffer.from(params.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return "tampered";
  return expires * 1000 < params.now.getTime() ? "expired" : "valid";
}
