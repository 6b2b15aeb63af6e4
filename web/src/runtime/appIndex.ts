// Lookups over one app spec, built once per spec version.

import {
  walkElements,
  type ActionSequence,
  type AppElement,
  type AppSpec,
  type ControlSpec,
  type ControlValue,
  type ModalElement,
  type PopoverElement,
  type TriggerType,
} from "../spec/types";

export interface AppIndex {
  elements: Map<string, AppElement>;
  pageOf: Map<string, string>;
  controls: Map<string, ControlSpec>;
  modals: Map<string, ModalElement>;
  popoversByAnchor: Map<string, PopoverElement[]>;
  tabsOfTab: Map<string, string>;
  sequences: Map<string, ActionSequence>;
  /** Sequences each element runs: those it owns (`element`) and those it lists. */
  sequencesOf: Map<string, ActionSequence[]>;
}

export function indexApp(app: AppSpec): AppIndex {
  const index: AppIndex = {
    elements: new Map(),
    pageOf: new Map(),
    controls: new Map(app.controls.map((c) => [c.id, c])),
    modals: new Map(),
    popoversByAnchor: new Map(),
    tabsOfTab: new Map(),
    sequences: new Map(app.actions.map((s) => [s.id, s])),
    sequencesOf: new Map(),
  };
  const attach = (elementId: string, sequence: ActionSequence | undefined) => {
    if (!sequence) return;
    const list = index.sequencesOf.get(elementId) ?? [];
    if (!list.includes(sequence)) list.push(sequence);
    index.sequencesOf.set(elementId, list);
  };
  for (const [element, page] of walkElements(app)) {
    index.elements.set(element.id, element);
    index.pageOf.set(element.id, page.id);
    if (element.type === "modal") index.modals.set(element.id, element);
    if (element.type === "popover") {
      index.popoversByAnchor.set(element.anchor, [...(index.popoversByAnchor.get(element.anchor) ?? []), element]);
    }
    if (element.type === "tabs") for (const tab of element.tabs) index.tabsOfTab.set(tab.id, element.id);
    for (const id of element.actions ?? []) attach(element.id, index.sequences.get(id));
    if (element.type === "form" && element.submit) attach(element.id, index.sequences.get(element.submit));
  }
  for (const sequence of app.actions) if (sequence.element) attach(sequence.element, sequence);
  return index;
}

export function sequencesFor(index: AppIndex, elementId: string, trigger: TriggerType): ActionSequence[] {
  return (index.sequencesOf.get(elementId) ?? []).filter((s) => {
    // A form's `submit` sequence runs on submit whatever its trigger says.
    const element = index.elements.get(elementId);
    if (element?.type === "form" && element.submit === s.id) return trigger === "submit";
    return s.trigger.type === trigger;
  });
}

/** The context-menu items of an element: one per `context_menu` sequence it runs. */
export function menuItemsFor(index: AppIndex, elementId: string): { id: string; label: string }[] {
  return (index.sequencesOf.get(elementId) ?? [])
    .filter((s) => s.trigger.type === "context_menu")
    .map((s) => ({ id: s.id, label: s.trigger.label ?? s.name ?? s.trigger.menu_item_id ?? s.id }));
}

export function initialControls(app: AppSpec): Record<string, ControlValue> {
  const values: Record<string, ControlValue> = {};
  for (const control of app.controls) {
    values[control.id] = control.default ?? defaultFor(control);
  }
  return values;
}

export function defaultFor(control: ControlSpec): ControlValue {
  switch (control.type) {
    case "checkbox":
    case "switch":
      return false;
    case "date_range":
    case "range":
      return [null, null];
    default:
      return null;
  }
}
