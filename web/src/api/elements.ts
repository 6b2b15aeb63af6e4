// Element queries: the rows a table, pivot or chart shows, computed by the server
// (`POST /api/apps/{id}/elements/{element_id}/query`) with the page's controls applied.

import type { ControlSpec, ControlValue } from "../spec/types";
import { request } from "./client";

export interface QueryColumn {
  name: string;
  type: string;
}

export type QueryRow = Record<string, unknown>;

export interface QueryResult {
  columns: QueryColumn[];
  rows: QueryRow[];
  total: number;
  limit: number;
  offset: number;
}

export interface QueryRequest {
  controls: Record<string, unknown>;
  sort?: string | null;
  limit?: number;
  offset?: number;
}

export async function queryElement(
  appId: string,
  elementId: string,
  body: QueryRequest,
  signal?: AbortSignal,
): Promise<QueryResult> {
  const path = `/api/apps/${encodeURIComponent(appId)}/elements/${encodeURIComponent(elementId)}/query`;
  const payload: Record<string, unknown> = { controls: body.controls };
  if (body.sort) payload.sort = body.sort;
  if (body.limit !== undefined) payload.limit = body.limit;
  if (body.offset !== undefined) payload.offset = body.offset;
  return (await request<QueryResult>(path, { method: "POST", body: payload, signal })).data;
}

function bounds(value: ControlValue, low: string, high: string): unknown {
  if (Array.isArray(value)) {
    const [from = null, to = null] = value;
    return from === null && to === null ? null : { [low]: from, [high]: to };
  }
  return value;
}

/** A control's value as the server reads it (ranges as objects, multiple lists as lists). */
export function controlPayload(control: ControlSpec | undefined, value: ControlValue): unknown {
  if (value === undefined) return null;
  switch (control?.type) {
    case "range":
      return bounds(value, "min", "max");
    case "date_range":
      return bounds(value, "start", "end");
    case "switch":
    case "checkbox":
      return value === true;
    case "list":
      if (control.multiple) return value === null || value === "" ? [] : Array.isArray(value) ? value : [value];
      return Array.isArray(value) ? (value[0] ?? null) : value;
    default:
      return value;
  }
}

export function controlsPayload(
  controls: Record<string, ControlValue>,
  specs: Map<string, ControlSpec>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(controls)) out[id] = controlPayload(specs.get(id), value);
  return out;
}

/** A formula column name for people: `Sum([Amount])` → `Sum of Amount`, `[Close Date]` → `Close Date`. */
export function prettyColumn(name: string): string {
  const bare = /^\[([^\]]+)\]$/.exec(name.trim());
  if (bare?.[1]) return bare[1];
  const call = /^([A-Za-z]+)\(\s*\[([^\]]+)\]\s*\)$/.exec(name.trim());
  if (call?.[1] && call[2]) {
    const fn = call[1].replace(/([a-z])([A-Z])/g, "$1 $2");
    return `${fn} of ${call[2]}`;
  }
  if (/^Count\(\s*\)$/.test(name.trim())) return "Count";
  const trunc = /^DateTrunc\(\s*"(\w+)"\s*,\s*\[([^\]]+)\]\s*\)$/.exec(name.trim());
  if (trunc?.[1] && trunc[2]) return `${trunc[2]} (${trunc[1]})`;
  return name.replace(/\[([^\]]+)\]/g, "$1");
}

const NUMBER = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

export function formatValue(value: unknown, type?: string): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return type === "integer" ? value.toLocaleString() : NUMBER.format(value);
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
