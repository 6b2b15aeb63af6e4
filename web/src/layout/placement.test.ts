import { describe, expect, it } from "vitest";

import type { AppElement } from "../spec/types";
import { parseRoute } from "../router";
import { cellStyle, isOverlay, readingOrder, styleFor } from "./placement";

const text = (id: string, x?: number, y?: number): AppElement => ({
  id,
  type: "text",
  content: id,
  position: x === undefined ? null : { x, y: y ?? 0, w: 4, h: 2 },
});

describe("placement on the grid", () => {
  it("maps a spec position to grid lines, clamped to the columns", () => {
    expect(cellStyle(text("a", 2, 3), 24, 0)).toMatchObject({ gridColumn: "3 / span 4", gridRow: "4 / span 2" });
    expect(cellStyle({ ...text("b"), position: { x: 4, y: 0, w: 6, h: 1 } }, 6, 0)).toMatchObject({
      gridColumn: "5 / span 2",
    });
    expect(cellStyle(text("c"), 12, 0)).toMatchObject({ gridColumn: "1 / -1" });
  });

  it("orders elements for reading (and stacking on phones) by row, then column", () => {
    const order = readingOrder([text("c", 0, 5), text("b", 8, 0), text("a", 0, 0)]).map((e) => e.id);
    expect(order).toEqual(["a", "b", "c"]);
  });

  it("keeps overlays off the grid and turns styles into CSS", () => {
    expect(isOverlay({ id: "m", type: "modal" } as AppElement)).toBe(true);
    expect(
      styleFor({ background_color: "#fff", border: { width: 2, color: "red", style: "dashed" }, padding: 8 }),
    ).toEqual({
      background: "#fff",
      border: "2px dashed red",
      padding: 8,
    });
  });
});

describe("routes", () => {
  it("reads the app list, an app and its page", () => {
    expect(parseRoute("/", "")).toEqual({ name: "apps" });
    expect(parseRoute("/apps/showcase", "?page=about")).toEqual({ name: "app", appId: "showcase", pageId: "about" });
    expect(parseRoute("/apps/showcase/", "")).toEqual({ name: "app", appId: "showcase", pageId: null });
    expect(parseRoute("/nope", "")).toEqual({ name: "not_found", path: "/nope" });
  });
});
