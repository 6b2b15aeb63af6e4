// The state an app page shares between its elements: control values, open modals and
// popovers, selected tabs; and `run`, which fires an element's action sequences.

import { createContext, useCallback, useContext, useMemo, useReducer, useRef, useState, type ReactNode } from "react";

import type { AppSpec, ControlValue, TriggerType } from "../spec/types";
import { useNotices } from "../ui/notices";
import { indexApp, initialControls, sequencesFor, type AppIndex } from "./appIndex";
import { applyEffect, runSequenceLocally, type Effect, type RuntimeState } from "./effects";
import type { Scope } from "./formula";

export interface Runtime {
  app: AppSpec;
  index: AppIndex;
  state: RuntimeState;
  openPopover: string | null;
  setOpenPopover: (id: string | null) => void;
  apply: (effects: Effect[]) => void;
  setControl: (id: string, value: ControlValue) => void;
  /** Run the sequences `elementId` has for `trigger`; false when it has none. */
  run: (elementId: string, trigger: TriggerType, scope?: Scope) => boolean;
}

const RuntimeContext = createContext<Runtime | null>(null);

export function useRuntime(): Runtime {
  const runtime = useContext(RuntimeContext);
  if (!runtime) throw new Error("useRuntime outside an app");
  return runtime;
}

function reducer(state: RuntimeState, effects: Effect[]): RuntimeState {
  return effects.reduce(applyEffect, state);
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}${trimmed.endsWith(".") ? "" : "."}`;
}

export function RuntimeProvider({ app, children }: { app: AppSpec; children: ReactNode }) {
  const index = useMemo(() => indexApp(app), [app]);
  const [state, dispatch] = useReducer(reducer, app, (a) => ({ controls: initialControls(a), modals: [], tabs: {} }));
  const [openPopover, setOpenPopover] = useState<string | null>(null);
  const { notify } = useNotices();
  // Sequences fired in one event see each other's effects.
  const latest = useRef(state);
  latest.current = state;

  const apply = useCallback((effects: Effect[]) => {
    if (effects.length === 0) return;
    latest.current = effects.reduce(applyEffect, latest.current);
    dispatch(effects);
  }, []);

  const setControl = useCallback(
    (id: string, value: ControlValue) => apply([{ type: "set_control", control: id, value }]),
    [apply],
  );

  const run = useCallback(
    (elementId: string, trigger: TriggerType, scope?: Scope) => {
      const sequences = sequencesFor(index, elementId, trigger);
      for (const sequence of sequences) {
        const outcome = runSequenceLocally(sequence, {
          state: latest.current,
          scope,
          tabsOf: (tab) => index.tabsOfTab.get(tab),
        });
        apply(outcome.effects);
        if (outcome.stopped) {
          notify({
            tone: "warning",
            title: `“${sequence.name ?? sequence.id}” stopped at step ${outcome.stopped.index + 1}`,
            message: `${sentence(outcome.stopped.reason)} The steps after it did not run.`,
          });
        }
      }
      return sequences.length > 0;
    },
    [index, apply, notify],
  );

  const value = useMemo(
    () => ({ app, index, state, openPopover, setOpenPopover, apply, setControl, run }),
    [app, index, state, openPopover, apply, setControl, run],
  );
  return <RuntimeContext.Provider value={value}>{children}</RuntimeContext.Provider>;
}
