// Where an element sits on its parent's CSS grid, from its spec position.

import type { CSSProperties } from "react";

import type { AppElement, Style } from "../spec/types";

export const SPACING_PX = { small: 8, medium: 16, large: 24 } as const;
export const WIDTH_PX = { xs: 320, sm: 480, md: 640, lg: 800, xl: 1024 } as const;
export const CORNER_RADIUS = { square: "0", round: "8px", pill: "9999px" } as const;

/** Overlays (modals, popovers) are not laid out on the grid. */
export function isOverlay(element: AppElement): boolean {
  return element.type === "modal" || element.type === "popover";
}

/** `visible: false` hides an element; a formula is decided by the server (shown for now). */
export function isVisible(element: AppElement): boolean {
  return element.visible !== false;
}

/** Elements of a grid in reading order (row, then column); unpositioned ones keep theirs. */
export function readingOrder(elements: AppElement[]): AppElement[] {
  return elements
    .map((element, i) => ({ element, i }))
    .sort((a, b) => {
      const pa = a.element.position;
      const pb = b.element.position;
      if (!pa || !pb) return a.i - b.i;
      return pa.y - pb.y || pa.x - pb.x || a.i - b.i;
    })
    .map(({ element }) => element);
}

export function cellStyle(element: AppElement, columns: number, order: number): CSSProperties {
  const p = element.position;
  const vars = { "--stack-order": order, "--h": p?.h ?? 1 } as CSSProperties;
  if (!p) return { ...vars, gridColumn: "1 / -1" };
  const x = Math.min(p.x, columns - 1);
  const w = Math.max(1, Math.min(p.w, columns - x));
  return { ...vars, gridColumn: `${x + 1} / span ${w}`, gridRow: `${p.y + 1} / span ${p.h}` };
}

export function styleFor(style: Style | null | undefined): CSSProperties {
  if (!style) return {};
  const css: CSSProperties = {};
  if (style.background_color) css.background = style.background_color;
  if (style.text_color) css.color = style.text_color;
  if (style.border) css.border = `${style.border.width}px ${style.border.style} ${style.border.color}`;
  if (style.padding != null) css.padding = style.padding;
  if (style.margin != null) css.margin = style.margin;
  if (style.border_radius != null) css.borderRadius = style.border_radius;
  if (style.box_shadow) css.boxShadow = style.box_shadow;
  if (style.z_index != null) css.zIndex = style.z_index;
  return css;
}
