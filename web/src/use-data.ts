import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api.js';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | null;
  readonly loading: boolean;
  readonly reload: () => void;
}

/**
 * Loads, shows loading and errors, and loads again every `refreshMs` (while the tab is
 * visible) and whenever `reload` is called, e.g. after an action. `refreshMs` may depend on
 * what was loaded (a running job more often, a finished one not at all).
 */
export function useData<T>(
  load: () => Promise<T>,
  key: string,
  refreshMs?: number | ((data: T | undefined) => number | undefined),
): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let live = true;
    setLoading(true);
    loadRef
      .current()
      .then((value) => {
        if (!live) return;
        setData(value);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!live) return;
        setError(
          caught instanceof ApiError || caught instanceof Error ? caught.message : String(caught),
        );
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [key, tick]);

  const every = typeof refreshMs === 'function' ? refreshMs(data) : refreshMs;
  useEffect(() => {
    if (!every) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((n) => n + 1);
    }, every);
    return () => clearInterval(timer);
  }, [every, key]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

/** Re-renders every `ms` (countdowns, relative times). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
