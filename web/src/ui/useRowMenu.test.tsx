import { act, fireEvent, render, screen } from "@testing-library/react";
import { useRef, useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { RuntimeProvider } from "../runtime/runtime";
import type { AppSpec } from "../spec/types";
import { NoticeProvider } from "./notices";
import { useRowMenu } from "./useRowMenu";

const app: AppSpec = {
  id: "menus",
  title: "Menus",
  controls: [],
  input_tables: [],
  actions: [
    {
      id: "note",
      element: "deals",
      trigger: { type: "context_menu", menu_item_id: "note", label: "Add a note" },
      actions: [],
    },
  ],
  pages: [{ id: "p", title: "", elements: [{ id: "deals", type: "text", content: "Deals" }] }],
};

const DEALS = [{ "Deal Id": "D-1" }, { "Deal Id": "D-2" }];

/** A grid stand-in: rows by index, which a reload empties until it answers. */
function Grid() {
  const [rows, setRows] = useState<Record<string, unknown>[]>(DEALS);
  const grid = useRef(null);
  const menu = useRowMenu<number>({
    elementId: "deals",
    label: "deals row actions",
    grid,
    keyAt: (index) => index,
    rowOf: (index) => rows[index],
  });
  return (
    <div>
      <button onClick={() => menu.openAtPointer(0, 1, 10, 10)}>open on D-2</button>
      <button onClick={() => setRows([])}>reload</button>
      {menu.element}
    </div>
  );
}

function renderGrid() {
  const fetch = vi.fn(async () => new Response(JSON.stringify({ success: true, effects: [] }), { status: 200 }));
  vi.stubGlobal("fetch", fetch);
  render(
    <NoticeProvider>
      <RuntimeProvider app={app}>
        <Grid />
      </RuntimeProvider>
    </NoticeProvider>,
  );
  return fetch;
}

/** The selection rows the one sequence run was sent with. */
function sentRows(fetch: ReturnType<typeof vi.fn>): unknown {
  const [, init] = fetch.mock.calls[0] as [string, RequestInit];
  return (JSON.parse(String(init.body)) as { context: { selection: { rows: unknown } } }).context.selection.rows;
}

afterEach(() => vi.unstubAllGlobals());

describe("row menu", () => {
  it("runs the chosen item with the row it was opened on", async () => {
    const fetch = renderGrid();
    fireEvent.click(screen.getByRole("button", { name: "open on D-2" }));
    fireEvent.click(screen.getByRole("menuitem", { name: "Add a note" }));
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
    expect(sentRows(fetch)).toEqual([{ "Deal Id": "D-2" }]);
  });

  it("still runs it when the grid is reloading as the item is chosen", async () => {
    const fetch = renderGrid();
    fireEvent.click(screen.getByRole("button", { name: "open on D-2" }));
    // A control set by another run meanwhile makes the grid fetch its rows again.
    act(() => screen.getByRole("button", { name: "reload" }).click());
    fireEvent.click(screen.getByRole("menuitem", { name: "Add a note" }));
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
    expect(sentRows(fetch)).toEqual([{ "Deal Id": "D-2" }]);
  });
});
