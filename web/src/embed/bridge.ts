// The postMessage bridge between an embedded Trilith app and the page that frames it.
//
// Outbound it speaks Sigma's embed vocabulary (`workbook:loaded`, `workbook:variables:onchange`
// …, flat `{type, …}` messages as @sigmacomputing/embed-sdk reads them) and the seed's app
// protocol (`app:ready`, `message:ack`, `control:update` awaiting an acknowledgement for 5 s,
// `action:trigger`, `element:refresh`, in a `{source, type, payload, messageId}` envelope).
// Inbound it accepts messages only from the parent window and a trusted origin; others are
// ignored and counted. Messages go to the parent's exact origin, never to "*".

import { originAllowed, parseOriginPatterns, type OriginPattern } from "./origins";

export const SOURCE = "sigma-compatible-app";
export const ACK_TIMEOUT_MS = 5000;
export const CAPABILITIES = ["input-tables", "actions", "ai-processing", "real-time-sync", "sigma-embed-events"];

export interface MessageTarget {
  postMessage(message: unknown, targetOrigin: string): void;
}

export interface MessageSource {
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}

/** What the bridge asks of the app it serves. */
export interface BridgeHandlers {
  /** Current control values, as Sigma variables (strings). */
  variables(): Record<string, string>;
  /** Set controls from variables (strings, or JSON values); answers the ids it did not know. */
  setVariables(values: Record<string, unknown>): string[];
  fullscreen(nodeId: string | null): boolean;
  refresh(elementId: string | null): void;
  trigger(elementId: string, trigger: string): boolean;
}

export interface BridgeStats {
  received: number;
  untrusted: number;
  unknown: number;
  sent: number;
  undelivered: number;
  timeouts: number;
}

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

type Inbound = (data: Record<string, unknown>, payload: Record<string, unknown>) => void;

let counter = 0;
function messageId(prefix: string): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36)}_${counter}`;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export class EmbedBridge {
  readonly stats: BridgeStats = { received: 0, untrusted: 0, unknown: 0, sent: 0, undelivered: 0, timeouts: 0 };
  private readonly patterns: OriginPattern[];
  private parentOrigin: string | null;
  private readonly pending = new Map<string, Pending>();
  private readonly inbound: Record<string, Inbound>;
  private readonly listener = (event: MessageEvent) => this.receive(event);

  constructor(
    origins: readonly string[],
    private readonly parent: MessageTarget,
    private readonly source: MessageSource,
    private readonly handlers: BridgeHandlers,
    options: { parentOrigin?: string | null; timeoutMs?: number } = {},
  ) {
    this.patterns = parseOriginPatterns(origins);
    const candidate = options.parentOrigin ?? null;
    this.parentOrigin = candidate && originAllowed(candidate, this.patterns) ? candidate : null;
    this.timeoutMs = options.timeoutMs ?? ACK_TIMEOUT_MS;
    this.inbound = {
      // Sigma's embed API.
      "workbook:variables:update": (data) => this.updateVariables(record(data.variables)),
      "workbook:variables:list": () =>
        this.sendSigma("workbook:variables:current", { variables: this.handlers.variables() }),
      "workbook:fullscreen:update": (data) => {
        const nodeId = typeof data.nodeId === "string" && data.nodeId ? data.nodeId : null;
        this.sendSigma("workbook:fullscreen:onchange", { fullScreen: this.handlers.fullscreen(nodeId) });
      },
      // The seed's app protocol.
      "message:ack": (_data, payload) => this.settle(payload),
      "control:update:result": (_data, payload) => this.settle(payload),
      "sigma:control:changed": (_data, payload) => {
        if (typeof payload.controlId === "string") this.updateVariables({ [payload.controlId]: payload.value });
      },
      "sigma:data:updated": () => this.handlers.refresh(null),
      "element:refresh": (_data, payload) =>
        this.handlers.refresh(typeof payload.elementId === "string" ? payload.elementId : null),
      "action:trigger": (_data, payload) => {
        const element = payload.elementId ?? payload.actionId;
        if (typeof element === "string") this.handlers.trigger(element, String(payload.trigger ?? "click"));
      },
      "sigma:workbook:loaded": () => undefined,
      "sigma:element:selected": () => undefined,
      "sigma:action:triggered": () => undefined,
      "sigma:theme:changed": () => undefined,
    };
  }

  private readonly timeoutMs: number;

  start(): void {
    this.source.addEventListener("message", this.listener);
  }

  stop(): void {
    this.source.removeEventListener("message", this.listener);
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error("the embed bridge stopped"));
      this.pending.delete(id);
    }
  }

  get origin(): string | null {
    return this.parentOrigin;
  }

  /** A message from the parent: trusted origin only; acknowledged when it has a messageId. */
  receive(event: Pick<MessageEvent, "data" | "origin" | "source">): void {
    if (event.source !== (this.parent as unknown)) return; // plugins and other frames
    if (!originAllowed(event.origin, this.patterns)) {
      this.stats.untrusted += 1;
      return;
    }
    this.parentOrigin = event.origin;
    const data = record(event.data);
    const type = typeof data.type === "string" ? data.type : null;
    if (!type) return;
    this.stats.received += 1;
    const payload = record(data.payload);
    const id = typeof data.messageId === "string" ? data.messageId : null;
    if (id && type !== "message:ack" && type !== "control:update:result")
      this.sendApp("message:ack", { messageId: id });
    const handle = this.inbound[type];
    if (handle) handle(data, payload);
    else this.stats.unknown += 1;
  }

  private updateVariables(values: Record<string, unknown>): void {
    const unknown = this.handlers.setVariables(values);
    if (unknown.length > 0) {
      this.sendSigma("workbook:error", {
        code: "unknown_variable",
        message: `no control ${unknown.map((u) => `'${u}'`).join(", ")}`,
      });
    }
  }

  private settle(payload: Record<string, unknown>): void {
    const id = typeof payload.messageId === "string" ? payload.messageId : null;
    const pending = id ? this.pending.get(id) : undefined;
    if (!id || !pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(id);
    if (payload.success === false) pending.reject(new Error(String(payload.error ?? "the host refused the update")));
    else pending.resolve();
  }

  private post(message: Record<string, unknown>): boolean {
    if (!this.parentOrigin) {
      this.stats.undelivered += 1;
      return false;
    }
    this.parent.postMessage(message, this.parentOrigin);
    this.stats.sent += 1;
    return true;
  }

  /** A Sigma embed event: a flat `{type, …fields}` message. */
  sendSigma(type: string, fields: Record<string, unknown> = {}): boolean {
    return this.post({ ...fields, type });
  }

  /** A message of the seed's app protocol; answers its messageId. */
  sendApp(type: string, payload: Record<string, unknown>, id: string = messageId("msg")): string {
    this.post({ source: SOURCE, type, payload, messageId: id, timestamp: new Date().toISOString() });
    return id;
  }

  ready(version: string): void {
    this.sendApp("app:ready", { version, capabilities: CAPABILITIES });
  }

  /** Ask the host to update its control; resolves on its acknowledgement, rejects after 5 s. */
  updateHostControl(controlId: string, value: unknown): Promise<void> {
    const id = messageId("ctrl");
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.stats.timeouts += 1;
        reject(new Error(`control update '${controlId}' was not acknowledged within ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.sendApp("control:update", { controlId, value, messageId: id }, id);
    });
  }
}
