import { describe, expect, it } from "vitest";

import { evaluate, interpolateControls } from "./formula";

const scope = (ref: string) => ({ "Control/region": "North", "Control/n": 3, "f/x": null })[ref];

describe("local formulas", () => {
  it("passes literals through", () => {
    expect(evaluate("North", scope)).toEqual({ ok: true, value: "North" });
    expect(evaluate(5, scope)).toEqual({ ok: true, value: 5 });
  });

  it("reads references and concatenates with &", () => {
    expect(evaluate("=[Control/region]", scope)).toEqual({ ok: true, value: "North" });
    expect(evaluate('="Add a note to " & [Control/region] & " (" & [Control/n] & ")"', scope)).toEqual({
      ok: true,
      value: "Add a note to North (3)",
    });
    expect(evaluate('="say ""hi"""', scope)).toEqual({ ok: true, value: 'say "hi"' });
    expect(evaluate("=true", scope)).toEqual({ ok: true, value: true });
    expect(evaluate("=[f/x]", scope)).toEqual({ ok: true, value: null });
  });

  it("leaves everything else to the server", () => {
    expect(evaluate("=Len([Control/region]) > 0", scope).ok).toBe(false);
    expect(evaluate("=[Control/unknown]", scope)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("not known"),
    });
    expect(evaluate("=[Control/region] &", scope).ok).toBe(false);
  });
});

describe("control values in text", () => {
  it("fills in [Control/id] and escapes markdown in the value", () => {
    expect(interpolateControls("Pipeline for **[Control/region]**", { region: "North" })).toBe(
      "Pipeline for **North**",
    );
    expect(interpolateControls("[Control/q]", { q: "*bold* <b>" })).toBe("\\*bold\\* \\<b\\>");
    expect(interpolateControls("[Control/q]", { q: null })).toBe("");
  });

  it("leaves links and unknown controls alone", () => {
    expect(interpolateControls("[Control/x](https://e.com)", { x: "y" })).toBe("[Control/x](https://e.com)");
    expect(interpolateControls("[Control/missing]", {})).toBe("[Control/missing]");
  });
});
