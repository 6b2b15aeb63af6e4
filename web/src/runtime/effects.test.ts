import { describe, expect, it } from "vitest";

import type { ActionSequence } from "../spec/types";
import { applyEffect, runSequenceLocally, type RuntimeState } from "./effects";

const state: RuntimeState = { controls: { region: "North", selected_deal: "D-7" }, modals: [], tabs: {} };

function sequence(actions: ActionSequence["actions"]): ActionSequence {
  return { id: "s", name: "Test", trigger: { type: "click" }, actions };
}

describe("local effects", () => {
  it("open and close modals, most recent last", () => {
    let s = applyEffect(state, { type: "open_modal", modal: "a" });
    s = applyEffect(s, { type: "open_modal", modal: "b" });
    s = applyEffect(s, { type: "open_modal", modal: "a" });
    expect(s.modals).toEqual(["b", "a"]);
    expect(applyEffect(s, { type: "close_modal", modal: "a" }).modals).toEqual(["b"]);
    expect(state.modals).toEqual([]);
  });

  it("set controls and select tabs", () => {
    expect(applyEffect(state, { type: "set_control", control: "region", value: "East" }).controls.region).toBe("East");
    expect(applyEffect(state, { type: "select_tab", tabs: "main", tab: "data" }).tabs).toEqual({ main: "data" });
  });
});

describe("running a sequence in the browser", () => {
  it("applies each step in order, later steps seeing earlier ones", () => {
    const run = runSequenceLocally(
      sequence([
        { type: "set_control", control: "region", value: "South" },
        { type: "set_control", control: "selected_deal", value: '="Deal in " & [Control/region]' },
        { type: "open_modal", modal: "note_modal" },
        { type: "select_tab", tab: "notes_tab" },
        { type: "clear_control", control: "region" },
      ]),
      { state, tabsOf: (tab) => (tab === "notes_tab" ? "main_tabs" : undefined) },
    );
    expect(run.stopped).toBeUndefined();
    expect(run.state.controls).toEqual({ region: null, selected_deal: "Deal in South" });
    expect(run.state.modals).toEqual(["note_modal"]);
    expect(run.state.tabs).toEqual({ main_tabs: "notes_tab" });
    expect(run.effects.map((e) => e.type)).toEqual([
      "set_control",
      "set_control",
      "open_modal",
      "select_tab",
      "set_control",
    ]);
  });

  it("reads form values through the scope", () => {
    const run = runSequenceLocally(
      sequence([{ type: "set_control", control: "selected_deal", value: "=[note_form/deal]" }]),
      {
        state,
        scope: (ref) => (ref === "note_form/deal" ? "D-9" : undefined),
      },
    );
    expect(run.state.controls.selected_deal).toBe("D-9");
  });

  it("stops at a step that needs the server, and runs nothing after it", () => {
    const run = runSequenceLocally(
      sequence([
        { type: "set_control", control: "region", value: "West" },
        { type: "insert_row", input_table: "notes", values: {} },
        { type: "close_modal", modal: "note_modal" },
      ]),
      { state: { ...state, modals: ["note_modal"] } },
    );
    expect(run.stopped?.index).toBe(1);
    expect(run.stopped?.reason).toContain("insert_row");
    expect(run.stopped?.reason).toContain("not available on this server yet");
    expect(run.state.controls.region).toBe("West");
    expect(run.state.modals).toEqual(["note_modal"]);
  });

  it("stops at a formula only the server can evaluate", () => {
    const run = runSequenceLocally(
      sequence([{ type: "set_control", control: "region", value: "=Upper([Control/region])" }]),
      {
        state,
      },
    );
    expect(run.stopped?.reason).toMatch(/Upper/);
    expect(run.state).toBe(state);
  });

  it("stops when a step misses what it acts on", () => {
    expect(runSequenceLocally(sequence([{ type: "open_modal" }]), { state }).stopped?.reason).toBe(
      "open_modal needs 'modal'",
    );
    expect(runSequenceLocally(sequence([{ type: "select_tab", tab: "x" }]), { state }).stopped?.reason).toContain(
      "no tabs element",
    );
  });
});
