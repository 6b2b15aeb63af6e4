// Effects of action sequences. The server's action engine runs every sequence and answers
// with effects for the page (`open_modal`, `set_control`, `navigate`, …); `fromServer`
// turns each into a state change (applied by `applyEffect`) or a side effect the runtime
// performs (a toast, a link, a download).

import type { ServerEffect } from "../api/actions";
import type { ControlValue } from "../spec/types";

export type Effect =
  | { type: "open_modal"; modal: string }
  | { type: "close_modal"; modal: string }
  | { type: "set_control"; control: string; value: ControlValue }
  | { type: "select_tab"; tabs: string; tab: string }
  | { type: "enable_control"; control: string }
  | { type: "disable_control"; control: string }
  | { type: "refresh_element"; element: string };

export interface RuntimeState {
  controls: Record<string, ControlValue>;
  /** Open modals, the most recent last. */
  modals: string[];
  /** The selected tab of each tabs element that has been switched. */
  tabs: Record<string, string>;
  /** Controls an action disabled. */
  disabled: string[];
  /** How many times each element was asked to refresh (its queries depend on it). */
  refreshes: Record<string, number>;
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
    case "enable_control":
      return { ...state, disabled: state.disabled.filter((c) => c !== effect.control) };
    case "disable_control":
      return state.disabled.includes(effect.control)
        ? state
        : { ...state, disabled: [...state.disabled, effect.control] };
    case "refresh_element":
      return {
        ...state,
        refreshes: { ...state.refreshes, [effect.element]: (state.refreshes[effect.element] ?? 0) + 1 },
      };
  }
}

/** What the browser does for an effect that is not a state change. */
export type SideEffect =
  | { type: "popover"; popover: string; open: boolean }
  | { type: "navigate"; page?: string; element?: string; controls?: Record<string, ControlValue> }
  | { type: "open_app"; app: string; page?: string; newTab: boolean }
  | { type: "open_link"; url: string; newTab: boolean }
  | { type: "download"; url: string; format?: string }
  | { type: "copy"; text: string }
  | { type: "iframe_event"; message: unknown }
  | { type: "alert"; title: string; text?: string; level: string }
  | { type: "clear_control"; controls: Record<string, ControlValue> };

export type Translated = { state: Effect } | { side: SideEffect } | { ignore: string };

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function newTab(openIn: unknown): boolean {
  return openIn === "new_tab" || openIn === "_blank" || openIn === "new_window";
}

export function fromServer(effect: ServerEffect, tabsOf: (tab: string) => string | undefined): Translated {
  const e = effect;
  switch (e.type) {
    case "open_modal":
    case "close_modal": {
      const modal = text(e.modal_id) ?? text(e.modal);
      return modal ? { state: { type: e.type, modal } } : { ignore: `${e.type} without a modal` };
    }
    case "open_popover":
    case "close_popover": {
      const popover = text(e.popover_id) ?? text(e.popover);
      return popover
        ? { side: { type: "popover", popover, open: e.type === "open_popover" } }
        : { ignore: `${e.type} without a popover` };
    }
    case "select_tab": {
      const tab = text(e.tab_id) ?? text(e.tab);
      const tabs = text(e.tabs_id) ?? text(e.tabs) ?? (tab ? tabsOf(tab) : undefined);
      return tab && tabs ? { state: { type: "select_tab", tabs, tab } } : { ignore: "select_tab without a tab" };
    }
    case "set_control": {
      const control = text(e.control_id) ?? text(e.control);
      return control
        ? { state: { type: "set_control", control, value: (e.value ?? null) as ControlValue } }
        : { ignore: "set_control without a control" };
    }
    case "clear_control": {
      // The server names every control of the scope with the value it clears to (null:
      // empty, else the published value); older servers sent only `control_id`.
      const listed = e.controls && typeof e.controls === "object" ? (e.controls as Record<string, ControlValue>) : null;
      const control = text(e.control_id) ?? text(e.control);
      const controls = listed ?? (control ? { [control]: null } : null);
      return controls && Object.keys(controls).length > 0
        ? { side: { type: "clear_control", controls } }
        : { ignore: "clear_control without a control" };
    }
    case "enable_control":
    case "disable_control": {
      const control = text(e.control_id) ?? text(e.control);
      return control ? { state: { type: e.type, control } } : { ignore: `${e.type} without a control` };
    }
    case "refresh_element": {
      const element = text(e.element_id) ?? text(e.element);
      return element
        ? { state: { type: "refresh_element", element } }
        : { ignore: "refresh_element without an element" };
    }
    case "navigate":
      return {
        side: {
          type: "navigate",
          page: text(e.page_id),
          element: text(e.element_id),
          controls: (e.controls ?? undefined) as Record<string, ControlValue> | undefined,
        },
      };
    case "open_app": {
      const app = text(e.app_id);
      return app
        ? { side: { type: "open_app", app, page: text(e.page_id), newTab: newTab(e.open_in) } }
        : { ignore: "open_app without an app" };
    }
    case "open_link": {
      const url = text(e.url);
      return url
        ? { side: { type: "open_link", url, newTab: newTab(e.open_in) } }
        : { ignore: "open_link without a url" };
    }
    case "download": {
      const url = text(e.url);
      return url ? { side: { type: "download", url, format: text(e.format) } } : { ignore: "download without a url" };
    }
    case "copy_to_clipboard":
      return { side: { type: "copy", text: typeof e.text === "string" ? e.text : String(e.text ?? "") } };
    case "iframe_event":
      return { side: { type: "iframe_event", message: e.message ?? null } };
    case "show_alert":
      return {
        side: {
          type: "alert",
          title: text(e.title) ?? text(e.text) ?? "Notice",
          text: text(e.title) ? text(e.text) : undefined,
          level: text(e.level) ?? "info",
        },
      };
    case "condition_not_met":
      return { ignore: "condition_not_met" };
    default:
      return { ignore: `unknown effect ${e.type}` };
  }
}
