/** Data loading for pages. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { getJson } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
  setData: (f: (d: T | undefined) => T | undefined) => void;
}

/** GET path as JSON; again when path changes or reload() is called. A null path loads nothing. */
export function useJson<T>(path: string | null): Loaded<T> {
  const [data, setState] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const current = useRef(0);
  useEffect(() => {
    if (path === null) return;
    const n = ++current.current;
    setLoading(true);
    getJson<T>(path).then(
      (d) => { if (n === current.current) { setState(d); setError(undefined); setLoading(false); } },
      (e: Error) => { if (n === current.current) { setError(e); setLoading(false); } },
    );
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const setData = useCallback((f: (d: T | undefined) => T | undefined) => setState((d) => f(d)), []);
  return { data, error, loading, reload, setData };
}

/** Re-renders every `ms` while active (elapsed times of running things). */
export function useNow(ms: number, active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms, active]);
  return now;
}
