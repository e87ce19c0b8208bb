/** Wraps `probe` so that callers arriving while it runs share that run, and its result is
 * reused until `maxAgeMs` after the run ended. `probe` must not reject. */
export function sharedProbe<T>(
  probe: () => Promise<T>,
  maxAgeMs: number,
  now: () => number = Date.now,
): () => Promise<T> {
  let last: { endedAt: number | null; result: Promise<T> } | null = null;
  return () => {
    const endedAt = last?.endedAt;
    if (!last || (endedAt != null && now() - endedAt > maxAgeMs)) {
      const current: { endedAt: number | null; result: Promise<T> } = {
        endedAt: null,
        result: probe(),
      };
      void current.result.then(() => (current.endedAt = now()));
      last = current;
    }
    return last.result;
  };
}
