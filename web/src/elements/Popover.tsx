// Content next to its anchor button: a non-modal dialog. Focus moves in when it opens and
// back to the button when it closes (Escape, a click outside, or Tab past its end).

import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from "react";
import { createPortal } from "react-dom";

import { Grid } from "../layout/Grid";
import { WIDTH_PX } from "../layout/placement";
import type { PopoverElement } from "../spec/types";
import { focusableWithin } from "../ui/focus";

const GAP = 8;
const MARGIN = 8;

export function popoverPlacement(
  anchor: { left: number; top: number; bottom: number; right: number },
  size: { width: number; height: number },
  viewport: { width: number; height: number },
): { left: number; top: number; side: "below" | "above" } {
  const width = Math.min(size.width, viewport.width - 2 * MARGIN);
  let left = anchor.left;
  if (left + width > viewport.width - MARGIN) left = Math.max(MARGIN, anchor.right - width);
  left = Math.max(MARGIN, Math.min(left, viewport.width - width - MARGIN));
  const below = anchor.bottom + GAP;
  if (below + size.height <= viewport.height - MARGIN || anchor.top - GAP - size.height < MARGIN) {
    return { left, top: below, side: "below" };
  }
  return { left, top: anchor.top - GAP - size.height, side: "above" };
}

export function PopoverView({
  element,
  anchor,
  label,
  onClose,
}: {
  element: PopoverElement;
  anchor: RefObject<HTMLElement | null>;
  label: string;
  onClose: () => void;
}) {
  const panel = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState<{ left: number; top: number; side: string } | null>(null);
  const width = WIDTH_PX[element.width] ?? 480;
  const close = useRef(onClose);
  close.current = onClose;

  useLayoutEffect(() => {
    const place = () => {
      const a = anchor.current?.getBoundingClientRect();
      const p = panel.current;
      if (!a || !p) return;
      setPosition(
        popoverPlacement(
          a,
          { width, height: p.offsetHeight },
          { width: window.innerWidth, height: window.innerHeight },
        ),
      );
    };
    place();
    window.addEventListener("resize", place);
    window.addEventListener("scroll", place, true);
    return () => {
      window.removeEventListener("resize", place);
      window.removeEventListener("scroll", place, true);
    };
  }, [anchor, width]);

  useEffect(() => {
    const p = panel.current;
    if (!p) return undefined;
    (focusableWithin(p)[0] ?? p).focus();
    const dismiss = (returnFocus: boolean) => {
      close.current();
      if (returnFocus) anchor.current?.focus();
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === "Escape" && !document.querySelector(".dialog-layer")) {
        event.stopPropagation();
        dismiss(true);
      }
    };
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!p.contains(target) && !anchor.current?.contains(target)) dismiss(false);
    };
    const onFocusOut = (event: FocusEvent) => {
      const next = event.relatedTarget as Node | null;
      if (next && !p.contains(next) && !anchor.current?.contains(next)) dismiss(false);
    };
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("pointerdown", onPointerDown);
    p.addEventListener("focusout", onFocusOut);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("pointerdown", onPointerDown);
      p.removeEventListener("focusout", onFocusOut);
    };
  }, [anchor]);

  return createPortal(
    <div
      ref={panel}
      id={`popover-${element.id}`}
      className={`popover popover-${position?.side ?? "below"}`}
      role="dialog"
      aria-label={label}
      tabIndex={-1}
      data-element-id={element.id}
      data-element-type="popover"
      style={{
        width,
        left: position?.left ?? -9999,
        top: position?.top ?? -9999,
        visibility: position ? "visible" : "hidden",
      }}
    >
      <Grid elements={element.children} columns={24} gap={8} />
    </div>,
    document.body,
  );
}
