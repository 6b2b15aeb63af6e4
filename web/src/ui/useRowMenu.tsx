// A grid's row menu: the element's `context_menu` sequences, opened on a row by a right
// click (at the pointer) or from the keyboard on the selected cell (the Menu key or
// Shift+F10, below the cell's place on screen, which follows the grid's scrolling). A
// chosen item runs its sequence with that row. The table and input-table grids share it.

import type { DataEditorRef, Item } from "@glideapps/glide-data-grid";
import { useMemo, useState, type KeyboardEvent, type ReactNode, type RefObject } from "react";
import { menuItemsFor } from "../runtime/appIndex";
import { useRuntime } from "../runtime/runtime";
import { ContextMenu } from "./ContextMenu";

type Row = Record<string, unknown>;

export interface RowMenuOptions<K> {
  elementId: string;
  label: string;
  grid: RefObject<DataEditorRef | null>;
  /** The row at a grid row index (what the menu keeps while it is open). */
  keyAt: (row: number) => K | null | undefined;
  /** The row's values when an item is chosen (it may have changed meanwhile); undefined
   * while the grid reloads, when the row as the menu opened on it is used. */
  rowOf: (key: K) => Row | undefined;
}

export interface RowMenu {
  /** Whether the element has menu items at all. */
  hasItems: boolean;
  /** For the grid's container: the Menu key or Shift+F10 on `cell` opens the menu. */
  onKeyDown: (event: KeyboardEvent, cell: Item | undefined) => void;
  /** For the grid's right click: opens the menu at the pointer; false when it has none. */
  openAtPointer: (col: number, row: number, x: number, y: number) => boolean;
  /** The open menu, to render beside the grid. */
  element: ReactNode;
}

export function isMenuKey(event: KeyboardEvent): boolean {
  return event.key === "ContextMenu" || (event.key === "F10" && event.shiftKey);
}

export function useRowMenu<K>({ elementId, label, grid, keyAt, rowOf }: RowMenuOptions<K>): RowMenu {
  const runtime = useRuntime();
  const items = useMemo(() => menuItemsFor(runtime.index, elementId), [runtime.index, elementId]);
  const [menu, setMenu] = useState<{ x: number; y: number; key: K; row: Row | undefined } | null>(null);

  const open = (col: number, row: number, x?: number, y?: number): boolean => {
    const key = keyAt(row);
    if (key === null || key === undefined || items.length === 0) return false;
    const bounds = grid.current?.getBounds(col, row);
    setMenu({
      key,
      row: rowOf(key),
      x: x ?? (bounds ? bounds.x + Math.min(bounds.width, 24) : 0),
      y: y ?? (bounds ? bounds.y + bounds.height : 0),
    });
    return true;
  };

  return {
    hasItems: items.length > 0,
    onKeyDown: (event, cell) => {
      if (!isMenuKey(event) || !cell || items.length === 0) return;
      event.preventDefault();
      event.stopPropagation();
      open(cell[0], cell[1]);
    },
    openAtPointer: (col, row, x, y) => open(col, row, x, y),
    element: menu ? (
      <ContextMenu
        items={items}
        x={menu.x}
        y={menu.y}
        label={label}
        onClose={() => setMenu(null)}
        onSelect={(item) => {
          // A control set meanwhile (a row click's own run) reloads the grid's rows.
          const row = rowOf(menu.key) ?? menu.row;
          if (row) runtime.runSequence(elementId, item.id, [row]);
        }}
      />
    ) : null,
  };
}
