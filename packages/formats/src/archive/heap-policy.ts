// The V8 heap policy of a process that writes export ZIPs: the worker, the web process in
// embedded mode, `pictograph convert` and the formats benchmark all set it the same way.
import { setFlagsFromString } from "node:v8";

/** How far V8 lets the heap grow past what the last full collection kept before the next one
 * (on a machine with memory to spare it otherwise allows several times that). Writing an
 * export keeps little alive and makes garbage fast, so by default the heap swelled for as long
 * as the export ran: a worker's peak RSS was 163 MB for a 10k-image COCO export and 221 MB for
 * a 100k one; it is 167 → 194 MB at 50%, as fast (pnpm bench exports). */
const HEAP_GROWING_PERCENT = 50;

/** Process-wide, and read at every full collection, so it applies from the call on. */
export function useExportHeapPolicy(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
