// Local effects of action steps: what the browser can do by itself before the server's
// action engine exists (open and close modals, set controls, select tabs). A sequence
// runs its steps in order and stops, with the reason, at the first step it cannot run
// here, so nothing after it pretends to have happened.

import type { ActionSequence, ActionStep, ControlValue } from "../spec/types";
import { evaluate, type Scope } from "./formula";

export type Effect =
  | { type: "open_modal"; modal: string }
  | { type: "close_modal"; modal: string }
  | { type: "set_control"; control: string; value: ControlValue }
  | { type: "select_tab"; tabs: string; tab: string };

export interface RuntimeState {
  controls: Record<string, ControlValue>;
  /** Open modals, the most recent last. */
  modals: string[];
  /** The selected tab of each tabs element that has been switched. */
  tabs: Record<string, string>;
}

export interface StepContext {
  state: RuntimeState;
  /** Resolves references other than controls, such as [note_form/note]. */
  scope?: Scope;
  /** The tabs element holding a tab, for select_tab steps that name only the tab. */
  tabsOf?: (tabId: string) => string | undefined;
}

export type StepOutcome = { effect: Effect } | { skip: true } | { stop: string };

type StepHandler = (step: ActionStep, context: StepContext) => StepOutcome;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

export function scopeFor(context: StepContext): Scope {
  return (reference) => {
    const [head, ...rest] = reference.split("/");
    if (head === "Control" && rest.length === 1) {
      const id = rest[0] as string;
      return id in context.state.controls ? context.state.controls[id] : undefined;
    }
    return context.scope?.(reference);
  };
}

const LOCAL_STEPS: Record<string, StepHandler> = {
  open_modal(step) {
    const modal = text(step.modal);
    return modal ? { effect: { type: "open_modal", modal } } : { stop: "open_modal needs 'modal'" };
  },
  close_modal(step) {
    const modal = text(step.modal);
    return modal ? { effect: { type: "close_modal", modal } } : { stop: "close_modal needs 'modal'" };
  },
  set_control(step, context) {
    const control = text(step.control);
    if (!control) return { stop: "set_control needs 'control'" };
    const result = evaluate(step.value ?? null, scopeFor(context));
    if (!result.ok) return { stop: `the value of set_control '${control}' uses ${result.reason}` };
    return { effect: { type: "set_control", control, value: (result.value ?? null) as ControlValue } };
  },
  clear_control(step) {
    const control = text(step.control);
    return control
      ? { effect: { type: "set_control", control, value: null } }
      : { stop: "clear_control needs 'control'" };
  },
  select_tab(step, context) {
    const tab = text(step.tab);
    if (!tab) return { stop: "select_tab needs 'tab'" };
    const tabs = text(step.tabs) ?? text(step.element) ?? context.tabsOf?.(tab);
    return tabs ? { effect: { type: "select_tab", tabs, tab } } : { stop: `no tabs element has a tab '${tab}'` };
  },
};

export function isLocalStep(type: string): boolean {
  return type in LOCAL_STEPS;
}

export function applyEffect(state: RuntimeState, effect: Effect): RuntimeState {
  switch (effect.type) {
    case "open_modal":
      return { ...state, modals: [...state.modals.filter((m) => m !== effect.modal), effect.modal] };
    case "close_modal":
      return { ...state, modals: state.modals.filter((m) => m !== effect.modal) };
    case "set_control":
      return { ...state, controls: { ...state.controls, [effect.control]: effect.value } };
    case "select_tab":
      return { ...state, tabs: { ...state.tabs, [effect.tabs]: effect.tab } };
  }
}

export interface SequenceRun {
  state: RuntimeState;
  effects: Effect[];
  /** Set when a step could not run in the browser; the steps after it did not run. */
  stopped?: { index: number; step: ActionStep; reason: string };
}

export function runSequenceLocally(sequence: ActionSequence, context: StepContext): SequenceRun {
  let state = context.state;
  const effects: Effect[] = [];
  for (const [index, step] of sequence.actions.entries()) {
    const handler = LOCAL_STEPS[step.type];
    if (!handler) {
      return {
        state,
        effects,
        stopped: {
          index,
          step,
          reason: `step '${step.type}' runs in the server's action engine, which is not available on this server yet`,
        },
      };
    }
    const outcome = handler(step, { ...context, state });
    if ("stop" in outcome) return { state, effects, stopped: { index, step, reason: outcome.stop } };
    if ("effect" in outcome) {
      effects.push(outcome.effect);
      state = applyEffect(state, outcome.effect);
    }
  }
  return { state, effects };
}
