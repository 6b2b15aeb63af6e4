// The state an app page shares between its elements: control values, open modals and
// popovers, selected tabs; and `run`, which fires an element's action sequences on the
// server's action engine and applies the effects it answers with, in order.

import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
  type ReactNode,
} from "react";

import { executeSequence, runError, type ServerEffect } from "../api/actions";
import { describeError } from "../api/client";
import { controlsPayload } from "../api/elements";
import { signals } from "../embed/signals";
import { appUrl, navigate } from "../router";
import type { ActionSequence, AppSpec, ControlValue, TriggerType } from "../spec/types";
import { useNotices, type Tone } from "../ui/notices";
import { defaultFor, indexApp, initialControls, sequencesFor, type AppIndex } from "./appIndex";
import { applyEffect, fromServer, type Effect, type RuntimeState, type SideEffect } from "./effects";
import { loadSessionControls, saveSessionControls } from "./sessionControls";

export type Selection = Record<string, unknown>[];

export interface Runtime {
  app: AppSpec;
  index: AppIndex;
  state: RuntimeState;
  openPopover: string | null;
  setOpenPopover: (id: string | null) => void;
  apply: (effects: Effect[]) => void;
  setControl: (id: string, value: ControlValue) => void;
  /** Run the sequences `elementId` has for `trigger` on the server; false when it has none. */
  run: (elementId: string, trigger: TriggerType, selection?: Selection) => boolean;
  /** Run one sequence of `elementId` by id (a context-menu item), with the selection. */
  runSequence: (elementId: string, sequenceId: string, selection?: Selection) => boolean;
  /** Elements whose sequences are running (or queued) now. */
  running: { has(elementId: string): boolean };
}

const RuntimeContext = createContext<Runtime | null>(null);

export function useRuntime(): Runtime {
  const runtime = useContext(RuntimeContext);
  if (!runtime) throw new Error("useRuntime outside an app");
  return runtime;
}

/** `counts` with `elementId`'s count moved by `by`; an element at zero is dropped. */
export function counted(
  counts: ReadonlyMap<string, number>,
  elementId: string,
  by: 1 | -1,
): ReadonlyMap<string, number> {
  const next = new Map(counts);
  const count = (next.get(elementId) ?? 0) + by;
  if (count > 0) next.set(elementId, count);
  else next.delete(elementId);
  return next;
}

function reducer(state: RuntimeState, effects: Effect[]): RuntimeState {
  return effects.reduce(applyEffect, state);
}

const TONES: Record<string, Tone> = { info: "info", success: "success", warning: "warning", error: "error" };

export function RuntimeProvider({ app, children }: { app: AppSpec; children: ReactNode }) {
  const index = useMemo(() => indexApp(app), [app]);
  const [state, dispatch] = useReducer(reducer, app, (a) => ({
    controls: loadSessionControls(a.id, initialControls(a)),
    modals: [],
    tabs: {},
    disabled: [],
    refreshes: {},
  }));
  const [openPopover, setOpenPopover] = useState<string | null>(null);
  useEffect(() => saveSessionControls(app.id, state.controls), [app.id, state.controls]);
  // Runs under way per element: an element stays running until the last of its runs ends
  // (a row's `select` run and a menu item's run may overlap).
  const [running, setRunning] = useState<ReadonlyMap<string, number>>(new Map());
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

  const perform = useCallback(
    (side: SideEffect) => {
      switch (side.type) {
        case "popover":
          setOpenPopover((current) => (side.open ? side.popover : current === side.popover ? null : current));
          break;
        case "clear_control":
          apply(
            Object.entries(side.controls).map(([id, value]) => {
              const control = index.controls.get(id);
              return {
                type: "set_control",
                control: id,
                value: value ?? (control ? defaultFor(control) : null),
              } as Effect;
            }),
          );
          break;
        case "navigate": {
          if (side.controls) {
            apply(
              Object.entries(side.controls).map(
                ([control, value]) => ({ type: "set_control", control, value }) as Effect,
              ),
            );
          }
          if (side.page) navigate(appUrl(app.id, side.page === app.pages[0]?.id ? null : side.page));
          if (side.element) {
            window.setTimeout(() => {
              document.querySelector(`[data-element-id="${CSS.escape(side.element ?? "")}"]`)?.scrollIntoView();
            }, 50);
          }
          break;
        }
        case "open_app": {
          const url = appUrl(side.app, side.page ?? null);
          if (side.newTab) window.open(url, "_blank", "noopener");
          else navigate(url);
          break;
        }
        case "open_link":
          if (side.newTab) window.open(side.url, "_blank", "noopener");
          else window.location.assign(side.url);
          break;
        case "download": {
          const link = document.createElement("a");
          link.href = side.url;
          link.download = "";
          document.body.append(link);
          link.click();
          link.remove();
          break;
        }
        case "copy":
          void navigator.clipboard?.writeText(side.text).then(
            () => notify({ tone: "success", title: "Copied to the clipboard" }),
            () => notify({ tone: "error", title: "Could not copy to the clipboard" }),
          );
          break;
        case "iframe_event":
          signals.outbound(side.message); // the embed bridge posts it to a trusted host only
          break;
        case "alert":
          notify({ tone: TONES[side.level] ?? "info", title: side.title, message: side.text });
          break;
      }
    },
    [app, index, apply, notify],
  );

  const applyServer = useCallback(
    (effects: ServerEffect[]) => {
      for (const effect of effects) {
        if (effect.type === "trigger_plugin") {
          signals.pluginEffect(String(effect.plugin_id ?? ""), String(effect.event ?? ""), effect.payload ?? null);
          continue;
        }
        const translated = fromServer(effect, (tab) => index.tabsOfTab.get(tab));
        if ("state" in translated) apply([translated.state]);
        else if ("side" in translated) perform(translated.side);
      }
    },
    [index, apply, perform],
  );

  // The runs of one sequence queue behind each other: the server refuses a second run of
  // a sequence still running for the same user (picking rows quickly fires `select` runs
  // back to back). Different sequences still run side by side.
  const queues = useRef(new Map<string, Promise<void>>());

  const runList = useCallback(
    (elementId: string, sequences: ActionSequence[], selection?: Selection) => {
      if (sequences.length === 0) return false;
      setRunning((counts) => counted(counts, elementId, 1));
      // Several sequences on one trigger run concurrently (as in Sigma); each applies its
      // effects when it answers, and one failing does not stop the others.
      const controls = controlsPayload(latest.current.controls, index.controls);
      const context = {
        controls,
        element_id: elementId,
        ...(selection ? { selection: { rows: selection, element_id: elementId } } : {}),
      };
      const attempt = async (sequence: ActionSequence) => {
        try {
          const outcome = await executeSequence({ sequence_id: sequence.id, app_id: app.id, context });
          applyServer(outcome.effects ?? []);
          if (!outcome.success) {
            notify({
              tone: "error",
              title: `“${sequence.name ?? sequence.id}” failed`,
              message: runError(outcome.error),
            });
          }
        } catch (error) {
          notify({
            tone: "error",
            title: `“${sequence.name ?? sequence.id}” could not run`,
            message: describeError(error),
          });
        }
      };
      const one = (sequence: ActionSequence): Promise<void> => {
        const queued = (queues.current.get(sequence.id) ?? Promise.resolve()).then(() => attempt(sequence));
        queues.current.set(sequence.id, queued);
        void queued.then(() => {
          if (queues.current.get(sequence.id) === queued) queues.current.delete(sequence.id);
        });
        return queued;
      };
      void Promise.all(sequences.map(one)).finally(() => setRunning((counts) => counted(counts, elementId, -1)));
      return true;
    },
    [app.id, index, applyServer, notify],
  );

  const run = useCallback(
    (elementId: string, trigger: TriggerType, selection?: Selection) => {
      if (trigger === "select" && selection) signals.select(elementId, selection);
      return runList(elementId, sequencesFor(index, elementId, trigger), selection);
    },
    [index, runList],
  );

  const runSequence = useCallback(
    (elementId: string, sequenceId: string, selection?: Selection) => {
      const sequence = (index.sequencesOf.get(elementId) ?? []).find((s) => s.id === sequenceId);
      return sequence ? runList(elementId, [sequence], selection) : false;
    },
    [index, runList],
  );

  const value = useMemo(
    () => ({ app, index, state, openPopover, setOpenPopover, apply, setControl, run, runSequence, running }),
    [app, index, state, openPopover, apply, setControl, run, runSequence, running],
  );
  return <RuntimeContext.Provider value={value}>{children}</RuntimeContext.Provider>;
}
