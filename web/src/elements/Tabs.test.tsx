import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { RuntimeProvider } from "../runtime/runtime";
import type { AppSpec, TabsElement } from "../spec/types";
import { NoticeProvider } from "../ui/notices";
import { nextTab, TabsView } from "./Tabs";

const tabs: TabsElement = {
  id: "views",
  type: "tabs",
  default_tab: "b",
  show_tab_bar: true,
  tab_style: "open",
  alignment: "left",
  size: "medium",
  tabs: [
    { id: "a", label: "Alpha", children: [{ id: "ta", type: "text", content: "Alpha panel" }] },
    { id: "b", label: "Beta", children: [{ id: "tb", type: "text", content: "Beta panel" }] },
    { id: "c", label: "Gamma", disabled: true, children: [] },
    { id: "d", label: "Delta", children: [] },
  ],
};

const app: AppSpec = {
  id: "t",
  title: "T",
  controls: [],
  input_tables: [],
  actions: [],
  pages: [{ id: "p", title: "", elements: [tabs] }],
};

function renderTabs() {
  return render(
    <NoticeProvider>
      <RuntimeProvider app={app}>
        <TabsView element={tabs} />
      </RuntimeProvider>
    </NoticeProvider>,
  );
}

describe("tabs", () => {
  it("move with arrows, Home and End, skipping disabled tabs and wrapping", () => {
    expect(nextTab(tabs.tabs, "b", "ArrowRight")).toBe("d");
    expect(nextTab(tabs.tabs, "d", "ArrowRight")).toBe("a");
    expect(nextTab(tabs.tabs, "a", "ArrowLeft")).toBe("d");
    expect(nextTab(tabs.tabs, "b", "Home")).toBe("a");
    expect(nextTab(tabs.tabs, "a", "End")).toBe("d");
    expect(nextTab(tabs.tabs, "a", "Enter")).toBeNull();
  });

  it("render the ARIA tabs pattern with a roving tabindex", () => {
    renderTabs();
    const beta = screen.getByRole("tab", { name: "Beta" });
    expect(beta).toHaveAttribute("aria-selected", "true");
    expect(beta).toHaveAttribute("tabindex", "0");
    expect(screen.getByRole("tab", { name: "Alpha" })).toHaveAttribute("tabindex", "-1");
    expect(screen.getByRole("tab", { name: "Gamma" })).toHaveAttribute("aria-disabled", "true");
    expect(screen.getByRole("tabpanel", { name: "Beta" })).toHaveTextContent("Beta panel");

    beta.focus();
    fireEvent.keyDown(beta, { key: "ArrowRight" });
    const delta = screen.getByRole("tab", { name: "Delta" });
    expect(delta).toHaveFocus();
    expect(delta).toHaveAttribute("aria-selected", "true");
    expect(beta).toHaveAttribute("tabindex", "-1");
    // The visited panel stays mounted, hidden.
    expect(screen.getByText("Beta panel").closest("[role=tabpanel]")).toHaveAttribute("hidden");

    fireEvent.click(screen.getByRole("tab", { name: "Gamma" }));
    expect(delta).toHaveAttribute("aria-selected", "true");
  });
});
