import { useCallback, useEffect, useRef, useState } from "react";

import { auth } from "./auth";
import { ApiError } from "./client";

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Load something once per `key`, abortable, with `reload` for retry and live refresh. */
export function useResource<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loader
      .current(controller.signal)
      .then((data) => {
        if (!controller.signal.aborted) setState({ data, loading: false });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        // A 401 opens the sign-in dialog, and signing in loads everything again: until
        // then this is still loading, not an error to show.
        if (error instanceof ApiError && error.status === 401) return;
        setState((s) => ({ data: s.data, error, loading: false }));
      });
    return () => controller.abort();
  }, [key, generation]);
  // Reload after signing in.
  useEffect(() => {
    let epoch = auth.get().epoch;
    return auth.subscribe(() => {
      if (auth.get().epoch !== epoch) {
        epoch = auth.get().epoch;
        setGeneration((g) => g + 1);
      }
    });
  }, []);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
