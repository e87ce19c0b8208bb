// Waiting for a background job (an export build, an import) to finish: `get` every
// `interval` seconds until it is done or `timeout` seconds have passed.
import { sleep } from "./sleep";

export type PollParams<T> = {
  /** What is already known, so the first look costs no request. */
  current?: T;
  get: () => Promise<T>;
  done: (value: T) => boolean;
  /** Seconds. */
  timeout: number;
  /** Seconds between looks. */
  interval: number;
  /** Called with every state seen, the first one included. */
  onProgress?: (value: T) => void;
  /** The error to throw when time runs out, given the last state and the seconds waited. */
  timedOut: (last: T, waitedSeconds: number) => Error;
  signal?: AbortSignal;
};

export async function pollUntilDone<T>(params: PollParams<T>): Promise<T> {
  if (!(params.timeout >= 0))
    throw new RangeError("timeout must be a number of seconds, 0 or more");
  if (!(params.interval > 0))
    throw new RangeError("poll_interval must be a number of seconds above 0");
  const started = performance.now();
  let current = params.current ?? (await params.get());
  for (;;) {
    params.onProgress?.(current);
    if (params.done(current)) return current;
    const waited = (performance.now() - started) / 1000;
    if (waited >= params.timeout) throw params.timedOut(current, round(waited));
    await sleep(Math.min(params.interval, params.timeout - waited), params.signal);
    current = await params.get();
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
