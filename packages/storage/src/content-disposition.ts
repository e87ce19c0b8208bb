// The Content-Disposition value for downloads, shared by S3 presigned URLs and the web app's
// own file route so both save under the same name. Pure: no I/O.

/**
 * `attachment` with an ASCII fallback `filename` and the exact name as RFC 5987 `filename*`,
 * so every browser gets a safe name and modern ones get the real one.
 */
export function formatAttachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
