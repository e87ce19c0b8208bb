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
function attemptOfKey(exportId: string, key: string): number | null {
  const prefix = exportBlobPrefix(exportId);
  const match = key.startsWith(prefix) ? /^(\d+)\.zip$/.exec(key.slice(prefix.length)) : null;
  return match ? Number(match[1]) : null;
}

const EXPORT_ZIP =
  /^exports\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/\d+\.zip$/;

/** The export whose attempt's ZIP `key` is, or null for any other key. */
export function exportIdOfKey(key: string): string | null {
  return EXPORT_ZIP.exec(key)?.[1] ?? null;
}

/** What decides whether an attempt's ZIP may still be published: the export's row. */
export type ExportAttemptRow = { attempts: number; status: string; blobKey: string | null };

/**
 * Whether `key`, a ZIP of one of this export's attempts, can never be published: `attempts`
 * is the fencing token (only the current attempt of a processing row can publish; a row that
 * is not processing would give its next build attempts + 1), and the row names the ZIP it
 * published. A deleted export (null) publishes nothing.
 */
export function isSupersededAttempt(
  exportId: string,
  key: string,
  row: ExportAttemptRow | null,
): boolean {
  const attempt = attemptOfKey(exportId, key);
  if (attempt === null || key === row?.blobKey) return false;
  const firstLive = row ? row.attempts + (row.status === "processing" ? 0 : 1) : Infinity;
  return attempt < firstLive;
}
