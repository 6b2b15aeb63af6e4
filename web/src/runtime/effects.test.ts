import { describe, expect, it } from "vitest";

import { applyEffect, fromServer, type RuntimeState } from "./effects";

const state: RuntimeState = {
  controls: { region: "North", selected_deal: "D-7" },
  modals: [],
  tabs: {},
  disabled: [],
  refreshes: {},
};
const noTabs = () => undefined;

describe("state effects", () => {
  it("open and close modals, most recent last", () => {
    let s = applyEffect(state, { type: "open_modal", modal: "a" });
    s = applyEffect(s, { type: "open_modal", modal: "b" });
    s = applyEffect(s, { type: "open_modal", modal: "a" });
    expect(s.modals).toEqual(["b", "a"]);
    expect(applyEffect(s, { type: "close_modal", modal: "a" }).modals).toEqual(["b"]);
    expect(state.modals).toEqual([]);
  });

  it("set controls, select tabs, disable controls and count refreshes", () => {
    expect(applyEffect(state, { type: "set_control", control: "region", value: "East" }).controls.region).toBe("East");
    expect(applyEffect(state, { type: "select_tab", tabs: "main", tab: "data" }).tabs).toEqual({ main: "data" });
    const off = applyEffect(state, { type: "disable_control", control: "region" });
    expect(off.disabled).toEqual(["region"]);
    expect(applyEffect(off, { type: "enable_control", control: "region" }).disabled).toEqual([]);
    let r = applyEffect(state, { type: "refresh_element", element: "t" });
    r = applyEffect(r, { type: "refresh_element", element: "t" });
    expect(r.refreshes).toEqual({ t: 2 });
  });
});

describe("server effects", () => {
  it("map the server's keys to state changes", () => {
    expect(fromServer({ type: "close_modal", modal_id: "m" }, noTabs)).toEqual({
      state: { type: "close_modal", modal: "m" },
    });
    expect(fromServer({ type: "set_control", control_id: "c", value: "" }, noTabs)).toEqual({
      state: { type: "set_control", control: "c", value: "" },
    });
    expect(fromServer({ type: "select_tab", tab_id: "data" }, () => "main")).toEqual({
      state: { type: "select_tab", tabs: "main", tab: "data" },
    });
  });

  it("map the rest to side effects, and ignore unmet conditions", () => {
    expect(fromServer({ type: "show_alert", title: "Saved", text: "Done", level: "success" }, noTabs)).toEqual({
      side: { type: "alert", title: "Saved", text: "Done", level: "success" },
    });
    expect(fromServer({ type: "open_link", url: "https://x.test", open_in: "new_tab" }, noTabs)).toEqual({
      side: { type: "open_link", url: "https://x.test", newTab: true },
    });
    expect(fromServer({ type: "condition_not_met" }, noTabs)).toEqual({ ignore: "condition_not_met" });
  });

  it("clear every control of a scope, to empty or to the published value", () => {
    expect(
      fromServer({ type: "clear_control", scope: "page", controls: { region: null, year: 2024 } }, noTabs),
    ).toEqual({ side: { type: "clear_control", controls: { region: null, year: 2024 } } });
    expect(fromServer({ type: "clear_control", control_id: "region" }, noTabs)).toEqual({
      side: { type: "clear_control", controls: { region: null } },
    });
    expect(fromServer({ type: "clear_control", scope: "all", controls: {} }, noTabs)).toEqual({
      ignore: "clear_control without a control",
    });
  });
});
