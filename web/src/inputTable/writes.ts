// Pure helpers for the editing model: where a grid row comes from, problems from a 422,
// and the version a write expects.

import type { ErrorDetail } from "../api/client";
import type { PendingEdit, Row } from "../api/inputTables";
import { isBlank } from "./columns";

export interface LocalRow {
  key: string;
  values: Record<string, unknown>;
  problems: Record<string, string>;
  /** Set once the server accepted it: shown until the grid has loaded the real row. */
  savedAs?: string;
}

export type RowPlace =
  | { kind: "server"; index: number }
  | { kind: "pending"; edit: PendingEdit }
  | { kind: "local"; local: LocalRow; at: number }
  | { kind: "outside" };

/** Grid rows are: the table's rows, then staged inserts (draft tables), then new rows. */
export function placeOf(row: number, serverCount: number, pendingInserts: PendingEdit[], local: LocalRow[]): RowPlace {
  if (row < serverCount) return { kind: "server", index: row };
  const p = row - serverCount;
  if (p < pendingInserts.length) return { kind: "pending", edit: pendingInserts[p] as PendingEdit };
  const l = p - pendingInserts.length;
  if (l < local.length) return { kind: "local", local: local[l] as LocalRow, at: l };
  return { kind: "outside" };
}

/**
 * A staged update names the version it expects at publish time, when the staged edits
 * before it on the same row have been applied: the row's version plus their count.
 */
export function expectedVersion(row: Row, pending: PendingEdit[]): number {
  return row._version + pending.filter((p) => p.op === "update" && p.row_id === row._row_id).length;
}

/** Column → message for one row of a 422; a problem without a column covers every value sent. */
export function problemsForRow(details: ErrorDetail[], row: number, sent: string[]): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const detail of details) {
    if ((detail.row ?? 0) !== row) continue;
    const message = detail.message ?? "not accepted";
    if (detail.column)
      problems[detail.column] = problems[detail.column] ? `${problems[detail.column]}; ${message}` : message;
    else for (const column of sent) problems[column] ??= message;
  }
  return problems;
}

/** Values worth sending for a new row: blanks are left to the column defaults. */
export function cleanValues(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => !isBlank(v)));
}

export function missingRequired(values: Record<string, unknown>, required: string[]): string[] {
  return required.filter((c) => isBlank(values[c]));
}

/** Pasted lines onto the grid from `start`: the values per target row, readonly columns skipped. */
export function pastedRows(
  lines: readonly (readonly string[])[],
  startColumn: number,
  columns: { id: string; readonly: boolean }[],
  coerce: (text: string) => unknown,
): Record<string, unknown>[] {
  return lines.map((line) => {
    const values: Record<string, unknown> = {};
    line.forEach((text, i) => {
      const column = columns[startColumn + i];
      if (column && !column.readonly) values[column.id] = coerce(text);
    });
    return values;
  });
}
