import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { EmbedBridge, type BridgeHandlers } from "./bridge";
import { originAllowed, parseOriginPattern, parseOriginPatterns } from "./origins";

describe("trusted origins", () => {
  const patterns = parseOriginPatterns(["https://*.example.com", "http://127.0.0.1:5173", "https://app.acme.io"]);

  it.each([
    "https://a.example.com",
    "https://a.b.example.com",
    "https://a.example.com:443",
    "http://127.0.0.1:5173",
    "https://app.acme.io",
  ])("trusts %s", (origin) => expect(originAllowed(origin, patterns)).toBe(true));

  it.each([
    "https://example.com",
    "https://evilexample.com",
    "https://a.example.com.evil.io",
    "http://a.example.com",
    "https://a.example.com:8443",
    "https://appXacme.io",
    "null",
    "",
  ])("does not trust %s", (origin) => expect(originAllowed(origin, patterns)).toBe(false));

  it("reads no regular expression from a pattern", () => {
    // In the seed's code `.` and `(` in a pattern were regex syntax.
    expect(parseOriginPattern("https://a.*.example.com")).toBeNull();
    expect(parseOriginPattern("https://(a|b).example.com")).toBeNull();
    expect(originAllowed("https://ab.example.com", parseOriginPatterns(["https://a.b.example.com"]))).toBe(false);
  });
});

function setup(timeoutMs = 5000) {
  const posted: { message: Record<string, unknown>; origin: string }[] = [];
  const parent = {
    postMessage: (message: unknown, origin: string) =>
      posted.push({ message: message as Record<string, unknown>, origin }),
  };
  const listeners: ((event: MessageEvent) => void)[] = [];
  const source = {
    addEventListener: (_: "message", l: (event: MessageEvent) => void) => listeners.push(l),
    removeEventListener: () => undefined,
  };
  const controls: Record<string, unknown> = { region: "East" };
  const handlers: BridgeHandlers = {
    variables: () => ({ region: String(controls.region) }),
    setVariables: (values) => {
      const unknown = Object.keys(values).filter((k) => !(k in controls));
      for (const [k, v] of Object.entries(values)) if (k in controls) controls[k] = v;
      return unknown;
    },
    fullscreen: (nodeId) => nodeId !== null,
    refresh: vi.fn(),
    trigger: vi.fn(() => true),
  };
  const bridge = new EmbedBridge(["https://*.host.com"], parent, source, handlers, {
    parentOrigin: "https://www.host.com",
    timeoutMs,
  });
  bridge.start();
  const send = (data: unknown, origin = "https://www.host.com", from: unknown = parent) =>
    listeners.forEach((l) => l({ data, origin, source: from } as MessageEvent));
  return { bridge, posted, send, controls, handlers };
}

describe("embed bridge", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("ignores and counts messages from untrusted origins", () => {
    const { bridge, send, controls } = setup();
    send({ type: "workbook:variables:update", variables: { region: "West" } }, "https://evil.io");
    send({ type: "workbook:variables:update", variables: { region: "West" } }, "https://www.host.com.evil.io");
    expect(controls.region).toBe("East");
    expect(bridge.stats.untrusted).toBe(2);
    // Messages from other frames (plugins) are not the host's: not even counted.
    send({ type: "workbook:variables:update", variables: { region: "West" } }, "https://www.host.com", {});
    expect(bridge.stats.untrusted).toBe(2);
    expect(controls.region).toBe("East");
  });

  it("applies variable updates and lists variables, to the parent's exact origin", () => {
    const { posted, send, controls } = setup();
    send({ type: "workbook:variables:update", variables: { region: "West", nope: "1" } });
    expect(controls.region).toBe("West");
    expect(posted.at(-1)?.message).toMatchObject({ type: "workbook:error", code: "unknown_variable" });
    send({ type: "workbook:variables:list" });
    expect(posted.at(-1)).toEqual({
      message: { type: "workbook:variables:current", variables: { region: "West" } },
      origin: "https://www.host.com",
    });
    send({ type: "workbook:fullscreen:update", nodeId: "sales" });
    expect(posted.at(-1)?.message).toEqual({ type: "workbook:fullscreen:onchange", fullScreen: true });
  });

  it("acknowledges messages that carry a messageId", () => {
    const { posted, send, handlers } = setup();
    send({ type: "element:refresh", payload: { elementId: "t" }, messageId: "m-1" });
    expect(posted[0]?.message).toMatchObject({ type: "message:ack", payload: { messageId: "m-1" } });
    expect(handlers.refresh).toHaveBeenCalledWith("t");
  });

  it("resolves a control update on its acknowledgement", async () => {
    const { bridge, posted, send } = setup();
    const done = bridge.updateHostControl("region", "West");
    const sent = posted.at(-1)?.message as { type: string; messageId: string; payload: Record<string, unknown> };
    expect(sent.type).toBe("control:update");
    expect(sent.payload).toMatchObject({ controlId: "region", value: "West", messageId: sent.messageId });
    send({ type: "message:ack", payload: { messageId: sent.messageId } });
    await expect(done).resolves.toBeUndefined();
  });

  it("rejects a control update the host refuses", async () => {
    const { bridge, posted, send } = setup();
    const done = bridge.updateHostControl("region", "West");
    const id = (posted.at(-1)?.message as { messageId: string }).messageId;
    send({ type: "message:ack", payload: { messageId: id, success: false, error: "read-only" } });
    await expect(done).rejects.toThrow("read-only");
  });

  it("rejects a control update after 5 seconds without an acknowledgement", async () => {
    const { bridge } = setup();
    const done = bridge.updateHostControl("region", "West");
    const failed = expect(done).rejects.toThrow("not acknowledged within 5 s");
    vi.advanceTimersByTime(4999);
    expect(bridge.stats.timeouts).toBe(0);
    vi.advanceTimersByTime(1);
    await failed;
    expect(bridge.stats.timeouts).toBe(1);
  });

  it("sends nothing when the framing page is not trusted", () => {
    const posted: unknown[] = [];
    const bridge = new EmbedBridge(
      ["https://*.host.com"],
      { postMessage: (m: unknown) => posted.push(m) },
      { addEventListener: () => undefined, removeEventListener: () => undefined },
      {} as BridgeHandlers,
      { parentOrigin: "https://evil.io" },
    );
    bridge.ready("1");
    expect(posted).toEqual([]);
    expect(bridge.stats.undelivered).toBe(1);
  });
});
