// A grid of 6, 12 or 24 columns holding elements at their spec positions. Below 768 px
// wide every grid becomes one column and its elements stack in reading order (CSS).

import type { CSSProperties } from "react";

import type { AppElement } from "../spec/types";
import { ElementView } from "./ElementView";
import { cellStyle, isOverlay, isVisible, readingOrder } from "./placement";

export interface GridProps {
  elements: AppElement[];
  columns: number;
  gap?: number;
  padding?: number;
  className?: string;
}

export function Grid({ elements, columns, gap = 16, padding = 0, className = "" }: GridProps) {
  const ordered = readingOrder(elements.filter((e) => !isOverlay(e) && isVisible(e)));
  const style = {
    "--columns": columns,
    gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
    gap: `${gap}px`,
    padding: `${padding}px`,
  } as CSSProperties;
  return (
    <div className={`t-grid t-grid-${columns} ${className}`} style={style}>
      {ordered.map((element, order) => (
        <div key={element.id} className="t-cell" style={cellStyle(element, columns, order)}>
          <ElementView element={element} />
        </div>
      ))}
    </div>
  );
}
