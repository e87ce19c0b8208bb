"use client";
// A small data hook for the API: load on mount and whenever `key` changes, keep the last data
// while reloading (no flicker, no layout shift), and poll while `pollMs` says so. Responses
// that arrive after the key changed are dropped.
import { useCallback, useEffect, useRef, useState } from "react";
import { describeFailure, type ApiFailure } from "./api-client";

export type Query<T> = {
  data: T | undefined;
  failure: ApiFailure | null;
  loading: boolean;
  reload(): void;
  /** Replace the data locally (after a mutation answered with the new object). */
  update(change: (data: T | undefined) => T | undefined): void;
};

export function useQuery<T>(
  key: string | null,
  load: () => Promise<T>,
  options: { pollMs?: (data: T | undefined) => number | null } = {},
): Query<T> {
  const [state, setState] = useState<{
    key: string | null;
    data: T | undefined;
    failure: ApiFailure | null;
    loading: boolean;
  }>({
    key,
    data: undefined,
    failure: null,
    loading: key !== null,
  });
  const loadRef = useRef(load);
  const pollRef = useRef(options.pollMs);
  const run = useRef<() => void>(() => undefined);
  useEffect(() => {
    loadRef.current = load;
    pollRef.current = options.pollMs;
  });

  useEffect(() => {
    if (key === null) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fetchOnce = () => {
      clearTimeout(timer);
      setState((s) => ({ ...s, loading: true }));
      loadRef.current().then(
        (data) => {
          if (cancelled) return;
          setState({ key, data, failure: null, loading: false });
          const next = pollRef.current?.(data);
          if (next) timer = setTimeout(fetchOnce, next);
        },
        (error: unknown) => {
          if (cancelled) return;
          setState((s) => ({ ...s, key, failure: describeFailure(error), loading: false }));
          // Keep polling through a passing failure (a restart, a dropped connection).
          const next = pollRef.current?.(undefined);
          if (next) timer = setTimeout(fetchOnce, Math.max(next, 3000));
        },
      );
    };
    run.current = fetchOnce;
    fetchOnce();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [key]);

  const reload = useCallback(() => run.current(), []);
  const update = useCallback((change: (data: T | undefined) => T | undefined) => {
    setState((s) => ({ ...s, data: change(s.data) }));
  }, []);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    failure: current ? state.failure : null,
    loading: !current || state.loading,
    reload,
    update,
  };
}
