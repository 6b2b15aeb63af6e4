// Input-table columns as grid columns and cells: which cell kind shows and edits each
// column type, how a value is displayed, and how an edited cell or pasted text becomes
// the value sent to the server.

import {
  GridCellKind,
  GridColumnIcon,
  type CustomCell,
  type EditableGridCell,
  type GridCell,
  type Theme,
} from "@glideapps/glide-data-grid";

import type { ColumnDefinition, ColumnType } from "../api/inputTables";

export const SYSTEM_COLUMN_LABELS: Record<string, string> = {
  _created_by: "Created by",
  _created_at: "Created at",
  _updated_by: "Updated by",
  _updated_at: "Updated at",
  _version: "Version",
};

export interface GridColumnModel {
  id: string;
  title: string;
  width: number;
  icon: string;
  type: ColumnType | "system";
  readonly: boolean;
  required: boolean;
  options: string[] | null;
  definition: ColumnDefinition | null;
}

export interface SortState {
  column: string;
  descending: boolean;
}

const ICONS: Record<ColumnType | "system", string> = {
  text: GridColumnIcon.HeaderString,
  number: GridColumnIcon.HeaderNumber,
  integer: GridColumnIcon.HeaderNumber,
  date: GridColumnIcon.HeaderDate,
  datetime: GridColumnIcon.HeaderTime,
  checkbox: GridColumnIcon.HeaderBoolean,
  single_select: GridColumnIcon.HeaderSingleValue,
  multi_select: GridColumnIcon.HeaderArray,
  system: GridColumnIcon.HeaderRowID,
};

const WIDTHS: Record<ColumnType | "system", number> = {
  text: 200,
  number: 120,
  integer: 110,
  date: 130,
  datetime: 180,
  checkbox: 100,
  single_select: 150,
  multi_select: 220,
  system: 160,
};

/** Why a column cannot be edited in the grid, or null when it can. */
export function readonlyReason(column: ColumnDefinition): string | null {
  if (column.linked) return "read from the linked warehouse table";
  if (column.protected) return "protected: set by its default only";
  return null;
}

export function sortParam(sort: SortState | null): string | null {
  return sort ? `${sort.descending ? "-" : ""}${sort.column}` : null;
}

/** Header click: ascending, then descending, then unsorted. */
export function nextSort(current: SortState | null, column: string): SortState | null {
  if (!current || current.column !== column) return { column, descending: false };
  if (!current.descending) return { column, descending: true };
  return null;
}

export function buildColumns(
  columns: ColumnDefinition[],
  options: { showSystem: boolean; sort: SortState | null; widths?: Record<string, number> },
): GridColumnModel[] {
  const arrow = (id: string) => (options.sort?.column === id ? (options.sort.descending ? " ↓" : " ↑") : "");
  const models: GridColumnModel[] = columns.map((column) => ({
    id: column.name,
    title: `${column.label ?? column.name}${column.required ? " *" : ""}${arrow(column.name)}`,
    width: options.widths?.[column.name] ?? WIDTHS[column.type] ?? 160,
    icon: ICONS[column.type] ?? GridColumnIcon.HeaderString,
    type: column.type,
    readonly: readonlyReason(column) !== null,
    required: Boolean(column.required),
    options: column.validation?.options ?? null,
    definition: column,
  }));
  if (options.showSystem) {
    for (const [id, label] of Object.entries(SYSTEM_COLUMN_LABELS)) {
      models.push({
        id,
        title: `${label}${arrow(id)}`,
        width: options.widths?.[id] ?? (id === "_version" ? 90 : WIDTHS.system),
        icon: id.endsWith("_at")
          ? GridColumnIcon.HeaderTime
          : id === "_version"
            ? GridColumnIcon.HeaderNumber
            : GridColumnIcon.HeaderString,
        type: "system",
        readonly: true,
        required: false,
        options: null,
        definition: null,
      });
    }
  }
  return models;
}

// ---- values ---------------------------------------------------------------------------

export function formatDateTime(value: string): string {
  // The server stores UTC without an offset: 2026-01-01T10:00:00(.123456)
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?/.exec(value);
  return match ? `${match[1]} ${match[2]}${match[3] && match[3] !== ":00" ? match[3] : ""}` : value;
}

export function asList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string" && value.trim() !== "") {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // not JSON: "a, b"
    }
    return value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return [];
}

export function displayValue(column: GridColumnModel, value: unknown): string {
  if (value === null || value === undefined) return "";
  switch (column.type) {
    case "number":
      return typeof value === "number" ? value.toLocaleString(undefined, { maximumFractionDigits: 10 }) : String(value);
    case "integer":
      return typeof value === "number" ? value.toLocaleString(undefined, { maximumFractionDigits: 0 }) : String(value);
    case "datetime":
      return typeof value === "string" ? formatDateTime(value) : String(value);
    case "checkbox":
      return value === true ? "true" : value === false ? "false" : String(value);
    case "multi_select":
      return asList(value).join(", ");
    case "system":
      return typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value) ? formatDateTime(value) : String(value);
    default:
      return String(value);
  }
}

// ---- cells ----------------------------------------------------------------------------

export interface ChoiceCellData {
  kind: "choice-cell";
  multiple: boolean;
  values: string[];
  options: string[];
}

export interface DateCellData {
  kind: "date-cell";
  type: "date" | "datetime";
  value: string | null;
  display: string;
}

export type ChoiceCell = CustomCell<ChoiceCellData>;
export type DateCell = CustomCell<DateCellData>;

export type CellMark = "invalid" | "saving" | "staged" | "conflict" | "new" | "deleted" | null;

const MARK_THEMES: Record<Exclude<CellMark, null>, Partial<Theme>> = {
  invalid: { bgCell: "#fef2f2", textDark: "#991b1b" },
  conflict: { bgCell: "#fff7ed", textDark: "#9a3412" },
  saving: { textDark: "#64748b" },
  staged: { bgCell: "#fffbeb" },
  new: { bgCell: "#f0f9ff" },
  deleted: { textDark: "#94a3b8" },
};

export function cellFor(
  column: GridColumnModel,
  value: unknown,
  mark: CellMark = null,
  lockedReason?: string,
): GridCell {
  const readonly = column.readonly || Boolean(lockedReason);
  const display = displayValue(column, value);
  const themeOverride = mark ? MARK_THEMES[mark] : undefined;
  const style = mark === "deleted" || column.type === "system" ? ("faded" as const) : undefined;
  const base = { themeOverride, style };
  switch (column.type) {
    case "number":
    case "integer": {
      const number =
        typeof value === "number"
          ? value
          : value === null || value === undefined || value === ""
            ? undefined
            : Number(value);
      if (number !== undefined && !Number.isFinite(number)) {
        // A value the server refused (kept so it can be fixed) is shown as typed.
        return {
          ...base,
          kind: GridCellKind.Text,
          data: String(value),
          displayData: String(value),
          allowOverlay: !readonly,
          readonly,
          contentAlign: "right",
        };
      }
      return {
        ...base,
        kind: GridCellKind.Number,
        data: number,
        displayData: display,
        allowOverlay: !readonly,
        readonly,
        fixedDecimals: column.type === "integer" ? 0 : undefined,
        allowNegative: true,
        thousandSeparator: false,
        contentAlign: "right",
      };
    }
    case "checkbox":
      return {
        ...base,
        kind: GridCellKind.Boolean,
        data: value === true ? true : value === false ? false : null,
        allowOverlay: false,
        readonly,
      };
    case "date":
    case "datetime": {
      const data: DateCellData = {
        kind: "date-cell",
        type: column.type,
        value: typeof value === "string" ? value : null,
        display,
      };
      return { ...base, kind: GridCellKind.Custom, data, copyData: display, allowOverlay: !readonly, readonly };
    }
    case "single_select":
    case "multi_select": {
      const data: ChoiceCellData = {
        kind: "choice-cell",
        multiple: column.type === "multi_select",
        values:
          column.type === "multi_select" ? asList(value) : value === null || value === undefined ? [] : [String(value)],
        options: column.options ?? [],
      };
      return { ...base, kind: GridCellKind.Custom, data, copyData: display, allowOverlay: !readonly, readonly };
    }
    default:
      return {
        ...base,
        kind: GridCellKind.Text,
        data: value === null || value === undefined ? "" : String(value),
        displayData: display,
        allowOverlay: !readonly,
        readonly,
      };
  }
}

/** The value to send for an edited cell. */
export function valueFromCell(column: GridColumnModel, cell: EditableGridCell | GridCell): unknown {
  switch (cell.kind) {
    case GridCellKind.Number:
      return cell.data ?? null;
    case GridCellKind.Boolean:
      return cell.data === true ? true : cell.data === false ? false : null;
    case GridCellKind.Text: {
      const text = cell.data.trim() === "" ? null : cell.data;
      if (text !== null && (column.type === "number" || column.type === "integer")) {
        const n = Number(text.replace(/,/g, ""));
        return Number.isFinite(n) ? n : text;
      }
      return text;
    }
    case GridCellKind.Custom: {
      const data = cell.data as ChoiceCellData | DateCellData;
      if (data.kind === "date-cell") return data.value || null;
      if (data.kind === "choice-cell") return data.multiple ? data.values : (data.values[0] ?? null);
      return null;
    }
    default:
      return null;
  }
}

/** Pasted spreadsheet text for a column: the server coerces text ("1,250.50", "yes"). */
export function valueFromPaste(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === "" ? null : trimmed;
}

export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
}
