import { describe, expect, it } from "vitest";

import { controlPayload, prettyColumn, type QueryResult } from "../api/elements";
import { crossTab } from "../elements/PivotView";
import type { ChartElement, PivotElement } from "../spec/types";
import { chartModel, kpiValue } from "./chartOptions";

const chart = (extra: Partial<ChartElement>): ChartElement => ({
  id: "c",
  type: "chart",
  chart_type: "bar",
  source: "t",
  y: [],
  ...extra,
});

const long: QueryResult = {
  columns: [
    { name: "Region", type: "text" },
    { name: "Stage", type: "text" },
    { name: "Sum([Amount])", type: "number" },
  ],
  rows: [
    { Region: "East", Stage: "Won", "Sum([Amount])": 10 },
    { Region: "North", Stage: "Open", "Sum([Amount])": 5 },
    { Region: "North", Stage: "Won", "Sum([Amount])": 7 },
  ],
  total: 3,
  limit: 100,
  offset: 0,
};

describe("chart options", () => {
  it("make one series per series value on the x categories", () => {
    const model = chartModel(chart({ x: "Region", series: "Stage", y: ["Sum([Amount])"] }), long, "#2563eb");
    const series = model.option.series as { name: string; data: unknown[] }[];
    expect(model.values).toEqual(["East", "North"]);
    expect(series.map((s) => [s.name, s.data])).toEqual([
      ["Won", [10, 7]],
      ["Open", [null, 5]],
    ]);
  });

  it("read a pie's slices and a KPI's value", () => {
    const pie = chartModel(chart({ chart_type: "pie", series: "Stage", value: "Sum([Amount])" }), long, "#000");
    const data = (pie.option.series as { data: { name: string; value: unknown }[] }[])[0]?.data;
    expect(data?.map((d) => d.name)).toEqual(["Won", "Open", "Won"]);
    const kpi = kpiValue(chart({ chart_type: "kpi", value: "Sum([Amount])" }), long);
    expect(kpi).toEqual({ label: "Sum of Amount", value: 10 });
  });
});

describe("pivots", () => {
  it("cross long rows into row and column dimensions", () => {
    const pivot: PivotElement = {
      id: "p",
      type: "pivot",
      source: "t",
      rows: ["Region"],
      columns: ["Stage"],
      values: ["Sum([Amount])"],
    };
    const table = crossTab(pivot, long);
    expect(table.columns.map((c) => c.keys)).toEqual([["Won"], ["Open"]]);
    expect(table.rows).toEqual([
      { keys: ["East"], cells: [10, null] },
      { keys: ["North"], cells: [7, 5] },
    ]);
  });
});

describe("element query payloads", () => {
  it("send ranges as bounds, multiple lists as lists and switches as booleans", () => {
    expect(controlPayload({ id: "d", type: "date_range" }, ["2026-01-01", null])).toEqual({
      start: "2026-01-01",
      end: null,
    });
    expect(controlPayload({ id: "r", type: "range" }, [null, null])).toBeNull();
    expect(controlPayload({ id: "l", type: "list", multiple: true }, "East")).toEqual(["East"]);
    expect(controlPayload({ id: "l", type: "list" }, "East")).toBe("East");
    expect(controlPayload({ id: "s", type: "switch" }, null)).toBe(false);
  });

  it("prettify formula column names", () => {
    expect(prettyColumn("Sum([Amount])")).toBe("Sum of Amount");
    expect(prettyColumn("[Close Date]")).toBe("Close Date");
    expect(prettyColumn('DateTrunc("month", [Close Date])')).toBe("Close Date (month)");
    expect(prettyColumn("CumulativeSum([Amount])")).toBe("Cumulative Sum of Amount");
  });
});
