import { describe, expect, it } from "vitest";

import type { AppSpec } from "../spec/types";
import { indexApp, menuItemsFor, sequencesFor } from "./appIndex";

const app = {
  id: "gm",
  title: "GrowthMarketer",
  controls: [],
  input_tables: [],
  pages: [
    {
      id: "main",
      title: "Main",
      elements: [{ id: "campaigns_grid", type: "input_table", input_table: "campaigns", actions: [] }],
    },
  ],
  actions: [
    { id: "pick", element: "campaigns_grid", trigger: { type: "select" }, actions: [{ type: "set_control" }] },
    {
      id: "request",
      name: "Request budget approval",
      element: "campaigns_grid",
      trigger: { type: "context_menu", menu_item_id: "request_approval" },
      actions: [{ type: "open_modal" }],
    },
    {
      id: "triage",
      element: "campaigns_grid",
      trigger: { type: "context_menu", menu_item_id: "triage" },
      actions: [{ type: "ai_query" }],
    },
  ],
} as unknown as AppSpec;

describe("context menu items", () => {
  it("are the element's context_menu sequences, labelled by name, else by menu item id", () => {
    const index = indexApp(app);
    expect(menuItemsFor(index, "campaigns_grid")).toEqual([
      { id: "request", label: "Request budget approval" },
      { id: "triage", label: "triage" },
    ]);
    expect(menuItemsFor(index, "other")).toEqual([]);
  });

  it("are not run by other triggers", () => {
    const index = indexApp(app);
    expect(sequencesFor(index, "campaigns_grid", "select").map((s) => s.id)).toEqual(["pick"]);
    expect(sequencesFor(index, "campaigns_grid", "click")).toEqual([]);
  });
});
