// What a data element needs from the server: its rows, re-queried (debounced) when a
// control value changes, when an action refreshes it, and when an input table it reads
// (directly or through another element) changes.

import { useEffect, useMemo, useRef, useState } from "react";

import { controlsPayload, queryElement, type QueryResult } from "../api/elements";
import { events } from "../api/events";
import type { AppIndex } from "../runtime/appIndex";
import { useRuntime } from "../runtime/runtime";

export const DEBOUNCE_MS = 250;

/** The input tables an element reads, following element sources (`source: deals_table`). */
export function inputTableSources(index: AppIndex, inputTables: Set<string>, elementId: string): Set<string> {
  const found = new Set<string>();
  const seen = new Set<string>();
  const stack = [elementId];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const element = index.elements.get(id);
    const source = element && "source" in element ? element.source : undefined;
    if (typeof source !== "string") continue;
    if (inputTables.has(source)) found.add(source);
    else if (index.elements.has(source)) stack.push(source);
  }
  return found;
}

/** A debounced JSON of the control values, so every element sees one change per pause. */
export function useControlsKey(): string {
  const runtime = useRuntime();
  const key = useMemo(
    () => JSON.stringify(controlsPayload(runtime.state.controls, runtime.index.controls)),
    [runtime.state.controls, runtime.index.controls],
  );
  const [debounced, setDebounced] = useState(key);
  useEffect(() => {
    if (key === debounced) return;
    const timer = window.setTimeout(() => setDebounced(key), DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [key, debounced]);
  return debounced;
}

/** Bumps when an input table this element reads changes. */
export function useSourceVersion(elementId: string): number {
  const runtime = useRuntime();
  const tables = useMemo(
    () => inputTableSources(runtime.index, new Set(runtime.app.input_tables.map((t) => t.id)), elementId),
    [runtime.index, runtime.app.input_tables, elementId],
  );
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (tables.size === 0) return;
    return events.subscribe((event) => {
      if ((event.type === "rows.changed" || event.type === "input_table.imported") && tables.has(event.data.table_id)) {
        setVersion((v) => v + 1);
      }
    });
  }, [tables]);
  return version + (runtime.state.refreshes[elementId] ?? 0);
}

export interface ElementRows {
  data: QueryResult | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** All rows (up to `limit`) of an element, for charts, KPIs and pivots. */
export function useElementRows(elementId: string, limit = 5000): ElementRows {
  const runtime = useRuntime();
  const controls = useControlsKey();
  const version = useSourceVersion(elementId);
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<{ data: QueryResult | null; error: unknown; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const appId = runtime.app.id;
  const first = useRef(true);
  useEffect(() => {
    const controller = new AbortController();
    // Keep showing the last rows while new ones load (no flicker on a control change).
    if (!first.current) setState((s) => ({ ...s, loading: true }));
    first.current = false;
    queryElement(
      appId,
      elementId,
      { controls: JSON.parse(controls) as Record<string, unknown>, limit },
      controller.signal,
    )
      .then((data) => setState({ data, error: null, loading: false }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setState((s) => ({ data: s.data, error, loading: false }));
      });
    return () => controller.abort();
  }, [appId, elementId, controls, version, attempt, limit]);
  return { ...state, reload: () => setAttempt((a) => a + 1) };
}
