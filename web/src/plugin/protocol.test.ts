import { describe, expect, it, vi } from "vitest";

import type { QueryResult } from "../api/elements";
import type { ControlSpec, ControlValue } from "../spec/types";
import { PluginSession, type PluginEnvironment, type PluginMessage } from "./protocol";

const ROWS: QueryResult = {
  columns: [
    { name: "Account", type: "TEXT" },
    { name: "Amount", type: "DOUBLE" },
  ],
  rows: [
    { Account: "Acme", Amount: 10 },
    { Account: "Bolt", Amount: 20 },
  ],
  total: 2,
  limit: 1000,
  offset: 0,
};

function setup() {
  const controls: Record<string, ControlValue> = { region: "North" };
  const specs: Record<string, ControlSpec> = { region: { id: "region", type: "list" } as ControlSpec };
  const posted: PluginMessage[] = [];
  const env: PluginEnvironment = {
    elementId: "plug",
    hostOrigin: "https://app.example.com",
    config: () => ({ source: "deals", region: "region", go: "run_it" }),
    control: (id) => specs[id],
    controlValue: (id) => controls[id],
    setControl: (id, value) => {
      controls[id] = value;
    },
    query: vi.fn(async (elementId: string) => {
      if (elementId !== "deals") throw new Error(`no element ${elementId}`);
      return ROWS;
    }),
    trigger: vi.fn((configId: string) => configId === "go"),
    style: () => ({ backgroundColor: "#fff" }),
  };
  const session = new PluginSession(env, (m) => posted.push(m));
  return { session, posted, controls, env };
}

describe("plugin host protocol", () => {
  it("answers init with the config, id and this origin", async () => {
    const { session, posted } = setup();
    await session.handle({ type: "wb:plugin:init", args: ["1.1.1"], elementId: "plug" });
    expect(posted[0]).toEqual({
      type: "wb:plugin:init",
      result: {
        id: "plug",
        config: { source: "deals", region: "region", go: "run_it" },
        sigmaEnv: "viewer",
        screenshot: false,
        wbOrigin: "https://app.example.com",
      },
      error: undefined,
    });
  });

  it("answers columns and pushes an element's rows by column", async () => {
    const { session, posted } = setup();
    await session.handle({ type: "wb:plugin:element:columns:get", args: ["source"] });
    expect(posted[0]?.result).toEqual({
      Account: { id: "Account", name: "Account", columnType: "text" },
      Amount: { id: "Amount", name: "Amount", columnType: "number" },
    });
    await session.handle({ type: "wb:plugin:element:subscribe:data", args: ["source"] });
    await vi.waitFor(() => expect(posted.some((m) => m.type === "wb:plugin:element:source:data")).toBe(true));
    expect(posted.find((m) => m.type === "wb:plugin:element:source:data")?.result).toEqual({
      Account: ["Acme", "Bolt"],
      Amount: [10, 20],
    });
  });

  it("sets a control through a variable config, and pushes variables", async () => {
    const { session, posted, controls } = setup();
    await session.handle({ type: "wb:plugin:variable:set", args: ["region", "West"] });
    expect(controls.region).toBe("West");
    session.pushVariables();
    expect(posted.at(-1)).toEqual({
      type: "wb:plugin:variable:update",
      result: { region: { name: "region", defaultValue: { type: "text", value: "West" } } },
    });
  });

  it("answers errors the plugin's promise rejects with", async () => {
    const { session, posted } = setup();
    await session.handle({ type: "wb:plugin:variable:set", args: ["source", "x"] });
    expect(posted.at(-1)).toMatchObject({ type: "wb:plugin:variable:set", error: "config 'source' names no control" });
    await session.handle({ type: "wb:plugin:action-trigger:invoke", args: ["nope"] });
    expect(posted.at(-1)?.error).toContain("no action sequence");
    await session.handle({ type: "wb:plugin:action-trigger:invoke", args: ["go"] });
    expect(posted.at(-1)).toMatchObject({ type: "wb:plugin:action-trigger:invoke", result: null, error: undefined });
    await session.handle({ type: "wb:plugin:teleport", args: [] });
    expect(posted.at(-1)?.error).toBe("Trilith does not support wb:plugin:teleport");
    const before = posted.length;
    await session.handle({ type: "workbook:variables:update" }); // not the plugin protocol
    expect(posted.length).toBe(before);
  });

  it("invokes a registered action effect", () => {
    const { session, posted } = setup();
    session.invokeEffect("onApproved");
    expect(posted.at(-1)).toEqual({ type: "wb:plugin:action-effect:invoke", result: "onApproved" });
  });
});
