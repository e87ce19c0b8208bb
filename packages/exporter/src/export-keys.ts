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

/** The attempt whose ZIP `key` is (exportBlobKey's inverse), or null for any other key. */
export function attemptOfKey(exportId: string, key: string): number | null {
  const prefix = exportBlobPrefix(exportId);
  const match = key.startsWith(prefix) ? /^(\d+)\.zip$/.exec(key.slice(prefix.length)) : null;
  return match ? Number(match[1]) : null;
}
