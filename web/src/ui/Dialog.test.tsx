import { act, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { Dialog } from "./Dialog";

function Harness({
  onClose = () => undefined,
  closeOnOverlay = true,
}: {
  onClose?: () => void;
  closeOnOverlay?: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      {open ? (
        <Dialog
          title="Edit deal"
          closeOnOverlay={closeOnOverlay}
          onClose={() => {
            onClose();
            setOpen(false);
          }}
          footer={<button type="button">Save</button>}
        >
          <label>
            Name <input />
          </label>
          <label>
            Amount <input />
          </label>
        </Dialog>
      ) : null}
    </>
  );
}

function press(key: string, shiftKey = false) {
  fireEvent.keyDown(document.activeElement ?? document.body, { key, shiftKey });
}

describe("the modal dialog", () => {
  let root: HTMLElement;
  beforeEach(() => {
    root = document.createElement("div");
    root.id = "root";
    document.body.appendChild(root);
  });
  afterEach(() => root.remove());

  it("is a labelled modal dialog that takes focus and makes the page inert", () => {
    render(<Harness />, { container: root });
    fireEvent.click(screen.getByText("Open"));
    const dialog = screen.getByRole("dialog", { name: "Edit deal" });
    expect(dialog).toHaveAttribute("aria-modal", "true");
    expect(screen.getByLabelText("Name")).toHaveFocus();
    expect(root).toHaveAttribute("inert");
  });

  it("traps Tab and Shift+Tab inside", () => {
    render(<Harness />, { container: root });
    fireEvent.click(screen.getByText("Open"));
    const save = screen.getByText("Save");
    save.focus();
    press("Tab");
    expect(screen.getByRole("button", { name: "Close" })).toHaveFocus();
    press("Tab", true);
    expect(save).toHaveFocus();
    screen.getByLabelText("Name").focus();
    press("Tab");
    // Not the last element: the browser moves focus itself, the trap stays out of the way.
    expect(screen.getByLabelText("Name")).toHaveFocus();
  });

  it("closes on Escape and gives focus back to what opened it", () => {
    const onClose = vi.fn();
    render(<Harness onClose={onClose} />, { container: root });
    const opener = screen.getByText("Open");
    opener.focus();
    fireEvent.click(opener);
    press("Escape");
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(opener).toHaveFocus();
    expect(root).not.toHaveAttribute("inert");
  });

  it("keeps open on an overlay click when that is prevented", () => {
    const onClose = vi.fn();
    render(<Harness onClose={onClose} closeOnOverlay={false} />, { container: root });
    fireEvent.click(screen.getByText("Open"));
    fireEvent.mouseDown(document.querySelector(".dialog-layer") as Element);
    expect(onClose).not.toHaveBeenCalled();
  });

  it("closes on an overlay click", () => {
    const onClose = vi.fn();
    render(<Harness onClose={onClose} />, { container: root });
    fireEvent.click(screen.getByText("Open"));
    fireEvent.mouseDown(document.querySelector(".dialog-layer") as Element);
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("focuses content that arrives after it opened", async () => {
    function Late() {
      const [ready, setReady] = useState(false);
      return (
        <Dialog title="Late" onClose={() => undefined}>
          <button type="button" onClick={() => setReady(true)} id="later">
            Later button
          </button>
          {ready ? <input aria-label="Arrived" /> : null}
        </Dialog>
      );
    }
    render(<Late />, { container: root });
    const later = screen.getByText("Later button");
    expect(later).toHaveFocus();
    await act(async () => {
      later.click();
    });
    // The input comes after the focused button, so focus stays where it is.
    expect(later).toHaveFocus();
  });
});
