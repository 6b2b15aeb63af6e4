import { GridCellKind, GridColumnIcon } from "@glideapps/glide-data-grid";
import { describe, expect, it } from "vitest";

import type { ColumnDefinition } from "../api/inputTables";
import {
  asList,
  buildColumns,
  cellFor,
  displayValue,
  nextSort,
  sortParam,
  valueFromCell,
  type ChoiceCellData,
  type DateCellData,
  type GridColumnModel,
} from "./columns";

const DEFINITION: ColumnDefinition[] = [
  { name: "title", type: "text", required: true },
  { name: "amount", type: "number", validation: { min: 0 } },
  { name: "units", type: "integer" },
  { name: "due", type: "date" },
  { name: "at", type: "datetime" },
  { name: "done", type: "checkbox" },
  { name: "status", type: "single_select", validation: { options: ["open", "won"] } },
  { name: "tags", type: "multi_select", validation: { options: ["a", "b", "c"] } },
  { name: "region", type: "text", linked: true },
  { name: "owner", type: "text", protected: true },
];

function column(name: string, columns = buildColumns(DEFINITION, { showSystem: false, sort: null })): GridColumnModel {
  const found = columns.find((c) => c.id === name);
  if (!found) throw new Error(name);
  return found;
}

describe("grid columns from an input-table definition", () => {
  it("gives each column type its icon and width, and marks required columns", () => {
    const columns = buildColumns(DEFINITION, { showSystem: false, sort: null });
    expect(columns.map((c) => c.id)).toEqual(DEFINITION.map((c) => c.name));
    expect(column("title").title).toBe("title *");
    expect(column("amount").icon).toBe(GridColumnIcon.HeaderNumber);
    expect(column("due").icon).toBe(GridColumnIcon.HeaderDate);
    expect(column("done").icon).toBe(GridColumnIcon.HeaderBoolean);
    expect(column("tags").icon).toBe(GridColumnIcon.HeaderArray);
    expect(column("status").options).toEqual(["open", "won"]);
    expect(column("title").width).toBe(200);
  });

  it("makes linked and protected columns read-only", () => {
    expect(column("region").readonly).toBe(true);
    expect(column("owner").readonly).toBe(true);
    expect(column("title").readonly).toBe(false);
  });

  it("adds the who/when system columns only when asked, read-only", () => {
    const withSystem = buildColumns(DEFINITION, { showSystem: true, sort: null });
    const system = withSystem.slice(DEFINITION.length);
    expect(system.map((c) => c.id)).toEqual(["_created_by", "_created_at", "_updated_by", "_updated_at", "_version"]);
    expect(system.every((c) => c.readonly && c.type === "system")).toBe(true);
  });

  it("shows the sort direction in the header and cycles asc → desc → none", () => {
    const sorted = buildColumns(DEFINITION, { showSystem: false, sort: { column: "amount", descending: true } });
    expect(column("amount", sorted).title).toBe("amount ↓");
    expect(nextSort(null, "amount")).toEqual({ column: "amount", descending: false });
    expect(nextSort({ column: "amount", descending: false }, "amount")).toEqual({ column: "amount", descending: true });
    expect(nextSort({ column: "amount", descending: true }, "amount")).toBeNull();
    expect(nextSort({ column: "amount", descending: true }, "title")).toEqual({ column: "title", descending: false });
    expect(sortParam({ column: "amount", descending: true })).toBe("-amount");
    expect(sortParam(null)).toBeNull();
  });
});

describe("cells", () => {
  it("uses the cell kind that edits each type", () => {
    expect(cellFor(column("title"), "Laptops").kind).toBe(GridCellKind.Text);
    expect(cellFor(column("amount"), 1250.5)).toMatchObject({ kind: GridCellKind.Number, data: 1250.5 });
    expect(cellFor(column("units"), 3)).toMatchObject({ kind: GridCellKind.Number, fixedDecimals: 0 });
    expect(cellFor(column("done"), true)).toMatchObject({ kind: GridCellKind.Boolean, data: true });
    const due = cellFor(column("due"), "2026-01-31");
    expect(due.kind).toBe(GridCellKind.Custom);
    expect((due as unknown as { data: DateCellData }).data).toMatchObject({
      kind: "date-cell",
      type: "date",
      value: "2026-01-31",
    });
    const tags = cellFor(column("tags"), ["a", "c"]);
    expect((tags as unknown as { data: ChoiceCellData }).data).toMatchObject({
      multiple: true,
      values: ["a", "c"],
      options: ["a", "b", "c"],
    });
    expect((tags as { copyData: string }).copyData).toBe("a, c");
    const status = cellFor(column("status"), null);
    expect((status as unknown as { data: ChoiceCellData }).data.values).toEqual([]);
  });

  it("locks read-only columns and rows", () => {
    expect(cellFor(column("region"), "North")).toMatchObject({ readonly: true, allowOverlay: false });
    expect(cellFor(column("title"), "x", null, "a staged new row")).toMatchObject({ readonly: true });
  });

  it("keeps a refused non-number as typed, so it can be fixed", () => {
    expect(cellFor(column("amount"), "abc", "invalid")).toMatchObject({ kind: GridCellKind.Text, data: "abc" });
    expect(cellFor(column("amount"), "abc", "invalid").themeOverride).toMatchObject({ bgCell: "#fef2f2" });
  });

  it("turns edited cells back into API values", () => {
    const amount = column("amount");
    expect(valueFromCell(amount, { ...(cellFor(amount, 1) as object), data: 42 } as never)).toBe(42);
    expect(valueFromCell(amount, { ...(cellFor(amount, 1) as object), data: undefined } as never)).toBeNull();
    const title = column("title");
    expect(valueFromCell(title, { ...(cellFor(title, "x") as object), data: "  " } as never)).toBeNull();
    expect(valueFromCell(title, { ...(cellFor(title, "x") as object), data: "Desk" } as never)).toBe("Desk");
    const tags = cellFor(column("tags"), []) as unknown as { data: ChoiceCellData };
    expect(valueFromCell(column("tags"), { ...tags, data: { ...tags.data, values: ["b"] } } as never)).toEqual(["b"]);
    const status = cellFor(column("status"), "open") as unknown as { data: ChoiceCellData };
    expect(valueFromCell(column("status"), { ...status, data: { ...status.data, values: [] } } as never)).toBeNull();
    const due = cellFor(column("due"), null) as unknown as { data: DateCellData };
    expect(valueFromCell(column("due"), { ...due, data: { ...due.data, value: "2026-02-01" } } as never)).toBe(
      "2026-02-01",
    );
  });

  it("displays values the way people read them", () => {
    expect(displayValue(column("at"), "2026-01-01T10:00:00")).toBe("2026-01-01 10:00");
    expect(displayValue(column("at"), "2026-01-01T10:00:05.123")).toBe("2026-01-01 10:00:05");
    expect(displayValue(column("tags"), '["a", "b"]')).toBe("a, b");
    expect(displayValue(column("title"), null)).toBe("");
    expect(asList("a, b")).toEqual(["a", "b"]);
  });
});
