import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { asGatewayError, type GatewayError } from './api';

export interface Loaded<T> {
  data: T | null;
  error: GatewayError | null;
  loading: boolean;
  reload(): void;
}

/** Runs `load` now and whenever `deps` change; the last answer wins (an older one is dropped). */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: GatewayError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, error: null, loading: false }),
      (err: unknown) =>
        mine === generation.current &&
        setState((s) => ({ ...s, error: asGatewayError(err), loading: false })),
    );
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

/** A mutation's state: running, its error; `run` resolves to its answer or null when it failed. */
export function useAction(): {
  busy: boolean;
  error: GatewayError | null;
  run<T>(action: () => Promise<T>): Promise<T | null>;
  clear(): void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<GatewayError | null>(null);
  return {
    busy,
    error,
    clear: () => setError(null),
    async run<T>(action: () => Promise<T>): Promise<T | null> {
      setBusy(true);
      setError(null);
      try {
        return await action();
      } catch (err) {
        setError(asGatewayError(err));
        return null;
      } finally {
        setBusy(false);
      }
    },
  };
}
