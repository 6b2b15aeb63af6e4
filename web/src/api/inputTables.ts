// The input-table HTTP contract (docs/input-tables.md), typed.

import { getJson, request, type ApiResponse } from "./client";

export type ColumnType =
  "text" | "number" | "integer" | "date" | "datetime" | "checkbox" | "single_select" | "multi_select";

export interface ColumnValidation {
  options?: string[] | null;
  options_from?: { table: string; column: string } | null;
  min?: number | string | null;
  max?: number | string | null;
  regex?: string | null;
  max_length?: number | null;
}

export interface ColumnDefinition {
  name: string;
  type: ColumnType;
  label?: string | null;
  required?: boolean;
  default?: unknown;
  unique?: boolean;
  protected?: boolean;
  linked?: boolean;
  validation?: ColumnValidation | null;
}

export interface TableDefinition {
  id: string;
  name: string;
  type: "empty" | "csv" | "linked";
  data_entry: "published" | "draft";
  columns: ColumnDefinition[];
  primary_key: string[];
  source?: { table: string } | null;
  version: number;
  pending_edits: number;
  app_id?: string | null;
}

export interface Row {
  _row_id: string;
  _version: number;
  _created_at?: string | null;
  _created_by?: string | null;
  _updated_at?: string | null;
  _updated_by?: string | null;
  [column: string]: unknown;
}

export interface RowPage {
  rows: Row[];
  total: number;
  limit: number;
  offset: number;
}

export interface PendingEdit {
  pending_id: string;
  seq: number;
  op: "insert" | "update" | "delete";
  row_id: string | null;
  values: Record<string, unknown>;
  expected_version: number | null;
  actor: string | null;
  at: string;
}

export interface HistoryEntry {
  edit_num: number;
  row_id: string;
  op: "insert" | "update" | "delete";
  before: Row | null;
  after: Row | null;
  actor: string | null;
  at: string;
  source: string;
  request_id?: string | null;
}

export type WriteResult = { staged: false; rows: Row[] } | { staged: true; pending: PendingEdit[] };

const base = (tableId: string) => `/api/sigma/input-tables/${encodeURIComponent(tableId)}`;
const rowPath = (tableId: string, rowId: string) => `${base(tableId)}/rows/${encodeURIComponent(rowId)}`;

function written(response: ApiResponse<unknown>): WriteResult {
  const data = response.data as { rows?: Row[]; pending?: PendingEdit[] } | Row | null;
  if (response.status === 202 || (data && "staged" in data && data.staged)) {
    return { staged: true, pending: (data as { pending?: PendingEdit[] }).pending ?? [] };
  }
  if (data && "rows" in data && Array.isArray(data.rows)) return { staged: false, rows: data.rows };
  if (data && "_row_id" in data) return { staged: false, rows: [data as Row] };
  return { staged: false, rows: [] };
}

export const inputTables = {
  definition: (tableId: string, signal?: AbortSignal) => getJson<TableDefinition>(base(tableId), { signal }),

  rows: (tableId: string, page: { limit: number; offset: number; sort?: string | null }, signal?: AbortSignal) =>
    getJson<RowPage>(`${base(tableId)}/rows`, {
      signal,
      query: { limit: page.limit, offset: page.offset, sort: page.sort ?? undefined },
    }),

  async insert(tableId: string, rows: Record<string, unknown>[]): Promise<WriteResult> {
    return written(await request(`${base(tableId)}/rows`, { method: "POST", body: { rows } }));
  },

  async update(
    tableId: string,
    rowId: string,
    values: Record<string, unknown>,
    expectedVersion: number,
  ): Promise<WriteResult> {
    return written(
      await request(rowPath(tableId, rowId), { method: "PATCH", body: { values, expected_version: expectedVersion } }),
    );
  },

  async remove(tableId: string, rowId: string, expectedVersion: number): Promise<WriteResult> {
    const response = await request(rowPath(tableId, rowId), {
      method: "DELETE",
      query: { expected_version: expectedVersion },
    });
    return response.status === 204 ? { staged: false, rows: [] } : written(response);
  },

  history: (tableId: string, rowId: string, signal?: AbortSignal) =>
    getJson<{ entries: HistoryEntry[]; total: number }>(`${base(tableId)}/history`, {
      signal,
      query: { row_id: rowId, limit: 200 },
    }),

  async revert(tableId: string, rowId: string, editNum: number): Promise<Row[]> {
    const response = await request<{ rows: Row[] }>(`${rowPath(tableId, rowId)}/revert`, {
      method: "POST",
      body: { edit_num: editNum },
    });
    return response.data.rows;
  },

  pending: (tableId: string, signal?: AbortSignal) =>
    getJson<{ pending: PendingEdit[]; total: number }>(`${base(tableId)}/pending`, { signal }),

  publish: async (tableId: string) =>
    (await request<{ published: number }>(`${base(tableId)}/publish`, { method: "POST" })).data,
};

export const SYSTEM_COLUMNS = ["_created_by", "_created_at", "_updated_by", "_updated_at", "_version"] as const;
