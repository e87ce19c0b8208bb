// Where export ZIPs live in storage. Each attempt writes its own key; the row names the one
// that was published, so an orphan (a build that died after uploading) is any key under
// `exports/` that no row names, and garbage collection can find it.
export const EXPORTS_PREFIX = "exports/";

export function exportBlobKey(exportId: string, attempt: number): string {
  return `${exportBlobPrefix(exportId)}${attempt}.zip`;
}

/** Where every attempt of one export writes. */
export function exportBlobPrefix(exportId: string): string {
  return `${EXPORTS_PREFIX}${exportId}/`;
}
