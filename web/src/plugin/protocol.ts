// The `wb:plugin:*` protocol of @sigmacomputing/plugin, host side. The plugin posts
// `{type, args, elementId}`; the host answers `{type, result, error}` with the same type
// (the client's promise resolves on it) and pushes updates the same way
// (`wb:plugin:variable:update`, `wb:plugin:element:<configId>:data`, …).

import type { QueryColumn, QueryResult } from "../api/elements";
import type { ControlSpec, ControlValue } from "../spec/types";

export const PAGE_ROWS = 1000;

export interface PluginMessage {
  type: string;
  result: unknown;
  error?: unknown;
}

/** What the host needs from the app around the plugin. */
export interface PluginEnvironment {
  elementId: string;
  config(): Record<string, unknown>;
  hostOrigin: string;
  control(id: string): ControlSpec | undefined;
  controlValue(id: string): ControlValue | undefined;
  setControl(id: string, value: ControlValue): void;
  query(elementId: string, limit: number): Promise<QueryResult>;
  trigger(configId: string): boolean;
  style(): { backgroundColor: string };
}

export function columnType(type: string): string {
  const t = type.toLowerCase();
  if (/bool/.test(t)) return "boolean";
  if (/int/.test(t)) return "integer";
  if (/(float|double|decimal|numeric|real|number)/.test(t)) return "number";
  if (/(date|time)/.test(t)) return "datetime";
  return "text";
}

export function columnsOf(columns: QueryColumn[]): Record<string, { id: string; name: string; columnType: string }> {
  const out: Record<string, { id: string; name: string; columnType: string }> = {};
  for (const c of columns) out[c.name] = { id: c.name, name: c.name, columnType: columnType(c.type) };
  return out;
}

export function columnarData(result: QueryResult): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const c of result.columns) out[c.name] = result.rows.map((row) => row[c.name] ?? null);
  return out;
}

const VARIABLE_TYPES: Record<string, string> = {
  number: "number",
  slider: "number",
  range: "number-range",
  date: "date",
  date_range: "date-range",
  checkbox: "boolean",
  switch: "boolean",
};

export function variableOf(control: ControlSpec, value: ControlValue | undefined) {
  const type = control.multiple ? "text-list" : (VARIABLE_TYPES[control.type] ?? "text");
  return { name: control.id, defaultValue: { type, value: value ?? null } };
}

type Reply = (type: string, result: unknown, error?: unknown) => void;

/** The host's side of one plugin frame; `post` sends to that frame only. */
export class PluginSession {
  private readonly data = new Map<string, number>(); // configId → rows subscribed
  private readonly columns = new Set<string>();
  private overrides: Record<string, unknown> = {};

  constructor(
    private readonly env: PluginEnvironment,
    private readonly post: (message: PluginMessage) => void,
  ) {}

  config(): Record<string, unknown> {
    return { ...this.env.config(), ...this.overrides };
  }

  private elementOf(configId: unknown): string {
    const value = this.config()[String(configId)];
    if (typeof value !== "string" || !value) throw new Error(`config '${String(configId)}' names no element`);
    return value;
  }

  /** Handle one message from the plugin. */
  async handle(message: unknown): Promise<void> {
    const m = message && typeof message === "object" ? (message as Record<string, unknown>) : {};
    const type = typeof m.type === "string" ? m.type : "";
    if (!type.startsWith("wb:plugin:")) return;
    const args = Array.isArray(m.args) ? m.args : [];
    const reply: Reply = (t, result, error) => this.post({ type: t, result, error });
    try {
      const result = await this.answer(type, args);
      reply(type, result);
    } catch (error) {
      reply(type, null, error instanceof Error ? error.message : String(error));
    }
  }

  private async answer(type: string, args: unknown[]): Promise<unknown> {
    switch (type) {
      case "wb:plugin:init":
        window.setTimeout(() => this.pushVariables(), 0);
        return {
          id: this.env.elementId,
          config: this.config(),
          sigmaEnv: "viewer",
          screenshot: false,
          wbOrigin: this.env.hostOrigin,
        };
      case "wb:plugin:config:update":
        this.overrides = { ...this.overrides, ...(args[0] as Record<string, unknown>) };
        return { config: this.config() };
      case "wb:plugin:element:columns:get":
        return columnsOf((await this.env.query(this.elementOf(args[0]), 1)).columns);
      case "wb:plugin:element:subscribe:columns":
        this.columns.add(String(args[0]));
        void this.pushColumns(String(args[0]));
        return null;
      case "wb:plugin:element:unsubscribe:columns":
        this.columns.delete(String(args[0]));
        return null;
      case "wb:plugin:element:subscribe:data":
        this.data.set(String(args[0]), PAGE_ROWS);
        void this.pushData(String(args[0]));
        return null;
      case "wb:plugin:element:unsubscribe:data":
        this.data.delete(String(args[0]));
        return null;
      case "wb:plugin:element:fetch-more": {
        const configId = String(args[0]);
        this.data.set(configId, (this.data.get(configId) ?? 0) + PAGE_ROWS);
        void this.pushData(configId);
        return null;
      }
      case "wb:plugin:variable:set": {
        const [configId, ...values] = args;
        const controlId = this.config()[String(configId)];
        if (typeof controlId !== "string" || !this.env.control(controlId)) {
          throw new Error(`config '${String(configId)}' names no control`);
        }
        const value = (values.length === 1 ? values[0] : values) as ControlValue;
        this.env.setControl(controlId, value ?? null);
        return null;
      }
      case "wb:plugin:action-trigger:invoke":
        if (!this.env.trigger(String(args[0]))) throw new Error(`no action sequence for trigger '${String(args[0])}'`);
        return null;
      case "wb:plugin:style:get":
        return this.env.style();
      case "wb:plugin:focus":
      case "wb:plugin:config:inspector":
      case "wb:plugin:config:loading-state":
      case "wb:plugin:selection:set":
      case "wb:plugin:url-parameter:set":
        return null; // accepted; Trilith has no editor panel, interactions or URL parameters here
      default:
        throw new Error(`Trilith does not support ${type}`);
    }
  }

  /** Controls or data changed: push variables, and data to the subscribers. */
  refresh(): void {
    this.pushVariables();
    for (const configId of this.data.keys()) void this.pushData(configId);
  }

  pushVariables(): void {
    const variables: Record<string, unknown> = {};
    for (const [configId, value] of Object.entries(this.config())) {
      const control = typeof value === "string" ? this.env.control(value) : undefined;
      if (control) variables[configId] = variableOf(control, this.env.controlValue(control.id));
    }
    this.post({ type: "wb:plugin:variable:update", result: variables });
  }

  private async pushColumns(configId: string): Promise<void> {
    try {
      const result = await this.env.query(this.elementOf(configId), 1);
      this.post({ type: `wb:plugin:element:${configId}:columns`, result: columnsOf(result.columns) });
    } catch (error) {
      this.post({ type: `wb:plugin:element:${configId}:columns`, result: {}, error: String(error) });
    }
  }

  private async pushData(configId: string): Promise<void> {
    const limit = this.data.get(configId);
    if (limit === undefined) return;
    try {
      const result = await this.env.query(this.elementOf(configId), limit);
      this.post({ type: `wb:plugin:element:${configId}:data`, result: columnarData(result) });
    } catch (error) {
      this.post({ type: `wb:plugin:element:${configId}:data`, result: {}, error: String(error) });
    }
  }

  invokeEffect(configId: string): void {
    this.post({ type: "wb:plugin:action-effect:invoke", result: configId });
  }
}
