import { describe, expect, it } from "vitest";

import type { ControlSpec } from "../spec/types";
import { fromVariable, toVariable } from "./variables";

const control = (spec: Partial<ControlSpec>) => ({ id: "c", ...spec }) as ControlSpec;

describe("control values as Sigma variables", () => {
  it("writes values as strings", () => {
    expect(toVariable(null)).toBe("");
    expect(toVariable(["North", "West"])).toBe("North,West");
    expect(toVariable(12.5)).toBe("12.5");
    expect(toVariable(true)).toBe("true");
  });

  it("reads strings by control type, and passes JSON values through", () => {
    expect(fromVariable(control({ type: "number" }), "42")).toBe(42);
    expect(fromVariable(control({ type: "number" }), "abc")).toBeNull();
    expect(fromVariable(control({ type: "switch" }), "true")).toBe(true);
    expect(fromVariable(control({ type: "list", multiple: true }), "North, West")).toEqual(["North", "West"]);
    expect(fromVariable(control({ type: "list" }), "")).toBeNull();
    expect(fromVariable(control({ type: "range" }), "1,5")).toEqual([1, 5]);
    expect(fromVariable(control({ type: "date_range" }), "2026-01-01,")).toEqual(["2026-01-01", null]);
    expect(fromVariable(control({ type: "list", multiple: true }), ["a"])).toEqual(["a"]);
  });
});
