// A context menu: role=menu at a point, its items reached with the arrow keys, Home and
// End, chosen with Enter or Space (or a click); Escape, Tab or a click outside closes it
// and focus goes back to where it was.

import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import { createPortal } from "react-dom";

export interface MenuItem {
  id: string;
  label: string;
  disabled?: boolean;
}

export interface ContextMenuProps {
  items: MenuItem[];
  x: number;
  y: number;
  label: string;
  onSelect: (item: MenuItem) => void;
  onClose: () => void;
}

/** The next enabled item from `from` in direction `step` (wrapping), for arrow keys. */
export function nextEnabled(items: MenuItem[], from: number, step: 1 | -1): number {
  for (let i = 1; i <= items.length; i++) {
    const index = (from + step * i + items.length * 2) % items.length;
    if (!items[index]?.disabled) return index;
  }
  return from;
}

export function ContextMenu({ items, x, y, label, onSelect, onClose }: ContextMenuProps) {
  const menu = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(() => nextEnabled(items, -1, 1));
  const [position, setPosition] = useState({ left: x, top: y });
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  // Keep the menu inside the window.
  useLayoutEffect(() => {
    const box = menu.current?.getBoundingClientRect();
    if (!box) return;
    setPosition({
      left: Math.max(4, Math.min(x, window.innerWidth - box.width - 4)),
      top: Math.max(4, Math.min(y, window.innerHeight - box.height - 4)),
    });
  }, [x, y]);

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const onPointer = (event: MouseEvent) => {
      if (!menu.current?.contains(event.target as Node)) onCloseRef.current();
    };
    document.addEventListener("mousedown", onPointer, true);
    return () => {
      document.removeEventListener("mousedown", onPointer, true);
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  useEffect(() => {
    menu.current?.querySelectorAll<HTMLElement>("[role=menuitem]")[active]?.focus();
  }, [active]);

  const choose = (index: number) => {
    const item = items[index];
    if (!item || item.disabled) return;
    onCloseRef.current();
    onSelect(item);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => setActive((i) => nextEnabled(items, i, 1)),
      ArrowUp: () => setActive((i) => nextEnabled(items, i, -1)),
      Home: () => setActive(nextEnabled(items, -1, 1)),
      End: () => setActive(nextEnabled(items, items.length, -1)),
      Enter: () => choose(active),
      " ": () => choose(active),
      Escape: () => onCloseRef.current(),
      Tab: () => onCloseRef.current(),
    };
    const handler = keys[event.key];
    if (!handler) return;
    event.preventDefault();
    event.stopPropagation();
    handler();
  };

  return createPortal(
    <div
      ref={menu}
      className="context-menu"
      role="menu"
      aria-label={label}
      style={{ left: position.left, top: position.top }}
      onKeyDown={onKeyDown}
      onContextMenu={(event) => event.preventDefault()}
    >
      {items.map((item, index) => (
        <div
          key={item.id}
          role="menuitem"
          className="context-menu-item"
          tabIndex={index === active ? 0 : -1}
          aria-disabled={item.disabled || undefined}
          data-menu-item-id={item.id}
          onMouseEnter={() => !item.disabled && setActive(index)}
          onClick={() => choose(index)}
        >
          {item.label}
        </div>
      ))}
    </div>,
    document.body,
  );
}
