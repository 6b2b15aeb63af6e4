import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";

import { ContextMenu, nextEnabled, type MenuItem } from "./ContextMenu";

const ITEMS: MenuItem[] = [
  { id: "triage", label: "Triage with AI" },
  { id: "archive", label: "Archive", disabled: true },
  { id: "approve", label: "Request budget approval" },
];

function Harness({ onSelect }: { onSelect: (item: MenuItem) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Row
      </button>
      {open ? (
        <ContextMenu
          items={ITEMS}
          x={10}
          y={10}
          label="Row actions"
          onSelect={onSelect}
          onClose={() => setOpen(false)}
        />
      ) : null}
    </>
  );
}

describe("nextEnabled", () => {
  it("skips disabled items and wraps around", () => {
    expect(nextEnabled(ITEMS, -1, 1)).toBe(0);
    expect(nextEnabled(ITEMS, 0, 1)).toBe(2);
    expect(nextEnabled(ITEMS, 2, 1)).toBe(0);
    expect(nextEnabled(ITEMS, 0, -1)).toBe(2);
    expect(nextEnabled(ITEMS, ITEMS.length, -1)).toBe(2);
  });

  it("stays put when nothing is enabled", () => {
    expect(nextEnabled([{ id: "a", label: "A", disabled: true }], 0, 1)).toBe(0);
  });
});

describe("ContextMenu", () => {
  it("focuses the first item, moves with arrows past disabled items and chooses with Enter", () => {
    const onSelect = vi.fn();
    render(<Harness onSelect={onSelect} />);
    const opener = screen.getByRole("button", { name: "Row" });
    opener.focus();
    fireEvent.click(opener);
    const menu = screen.getByRole("menu", { name: "Row actions" });
    expect(screen.getByRole("menuitem", { name: "Triage with AI" })).toHaveFocus();
    fireEvent.keyDown(menu, { key: "ArrowDown" });
    expect(screen.getByRole("menuitem", { name: "Request budget approval" })).toHaveFocus();
    fireEvent.keyDown(menu, { key: "Enter" });
    expect(onSelect).toHaveBeenCalledWith(ITEMS[2]);
    expect(screen.queryByRole("menu")).not.toBeInTheDocument();
    expect(opener).toHaveFocus();
  });

  it("closes on Escape and on a click outside without choosing", () => {
    const onSelect = vi.fn();
    render(<Harness onSelect={onSelect} />);
    fireEvent.click(screen.getByRole("button", { name: "Row" }));
    fireEvent.keyDown(screen.getByRole("menu"), { key: "Escape" });
    expect(screen.queryByRole("menu")).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Row" }));
    fireEvent.mouseDown(document.body);
    expect(screen.queryByRole("menu")).not.toBeInTheDocument();
    expect(onSelect).not.toHaveBeenCalled();
  });

  it("does not choose a disabled item on click", () => {
    const onSelect = vi.fn();
    render(<Harness onSelect={onSelect} />);
    fireEvent.click(screen.getByRole("button", { name: "Row" }));
    fireEvent.click(screen.getByRole("menuitem", { name: "Archive" }));
    expect(onSelect).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("menuitem", { name: "Triage with AI" }));
    expect(onSelect).toHaveBeenCalledWith(ITEMS[0]);
  });
});
