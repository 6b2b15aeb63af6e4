import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { AppSpec } from "../spec/types";
import { NoticeProvider } from "../ui/notices";
import { counted, RuntimeProvider, useRuntime } from "./runtime";

const app: AppSpec = {
  id: "runs",
  title: "Runs",
  controls: [],
  input_tables: [],
  actions: [
    {
      id: "approve",
      element: "deals",
      trigger: { type: "context_menu", menu_item_id: "a", label: "Approve" },
      actions: [],
    },
    {
      id: "reject",
      element: "deals",
      trigger: { type: "context_menu", menu_item_id: "r", label: "Reject" },
      actions: [],
    },
  ],
  pages: [{ id: "p", title: "", elements: [{ id: "deals", type: "text", content: "Deals" }] }],
};

function Probe() {
  const runtime = useRuntime();
  return (
    <div>
      <button onClick={() => runtime.runSequence("deals", "approve")}>approve</button>
      <button onClick={() => runtime.runSequence("deals", "reject")}>reject</button>
      <output aria-label="deals">{runtime.running.has("deals") ? "running" : "idle"}</output>
    </div>
  );
}

/** `fetch` answering each call only when the test says so, in call order. */
function heldFetch() {
  const pending: Array<(body: unknown) => void> = [];
  const fetch = vi.fn(
    () =>
      new Promise<Response>((resolve) => {
        pending.push((body) => resolve(new Response(JSON.stringify(body), { status: 200 })));
      }),
  );
  vi.stubGlobal("fetch", fetch);
  return { fetch, answer: (index: number) => pending[index]?.({ success: true, effects: [] }) };
}

afterEach(() => vi.unstubAllGlobals());

describe("running", () => {
  it("counts runs per element and drops an element at zero", () => {
    let counts = counted(new Map(), "a", 1);
    counts = counted(counts, "a", 1);
    counts = counted(counts, "a", -1);
    expect(counts.get("a")).toBe(1);
    counts = counted(counts, "a", -1);
    expect(counts.has("a")).toBe(false);
  });

  it("keeps an element running until the last of its overlapping runs answers", async () => {
    const server = heldFetch();
    render(
      <NoticeProvider>
        <RuntimeProvider app={app}>
          <Probe />
        </RuntimeProvider>
      </NoticeProvider>,
    );
    expect(screen.getByLabelText("deals")).toHaveTextContent("idle");
    act(() => screen.getByRole("button", { name: "approve" }).click());
    act(() => screen.getByRole("button", { name: "reject" }).click());
    await vi.waitFor(() => expect(server.fetch).toHaveBeenCalledTimes(2));
    expect(screen.getByLabelText("deals")).toHaveTextContent("running");

    await act(async () => server.answer(0));
    // The first run's answer leaves the second still under way.
    expect(screen.getByLabelText("deals")).toHaveTextContent("running");

    await act(async () => server.answer(1));
    await vi.waitFor(() => expect(screen.getByLabelText("deals")).toHaveTextContent("idle"));
  });
});
