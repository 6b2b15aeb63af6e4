// Element query rows → ECharts options. Pure, so the shapes are unit-tested.

import { formatValue, prettyColumn, type QueryResult, type QueryRow } from "../api/elements";
import type { ChartElement } from "../spec/types";

export interface ChartModel {
  /** The column a click selects by (the x axis or the pie's slices). */
  category: string | null;
  /** The category value of each data index, for clicks. */
  values: unknown[];
  option: Record<string, unknown>;
}

function columnNamed(result: QueryResult, name: string | null | undefined): string | null {
  if (!name) return null;
  return result.columns.some((c) => c.name === name) ? name : null;
}

function unique(rows: QueryRow[], column: string): unknown[] {
  const seen = new Map<string, unknown>();
  for (const row of rows) {
    const value = row[column];
    const key = JSON.stringify(value ?? null);
    if (!seen.has(key)) seen.set(key, value);
  }
  return [...seen.values()];
}

function label(value: unknown): string {
  return value === null || value === undefined ? "(blank)" : formatValue(value);
}

const AXIS_LABEL = { color: "#64748b", hideOverlap: true };
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

function valueAxis(name?: string): Record<string, unknown> {
  return {
    type: "value",
    name,
    nameTextStyle: { color: "#64748b" },
    axisLabel: { ...AXIS_LABEL, formatter: (v: number) => compact.format(v) },
    splitLine: { lineStyle: { color: "#eef2f7" } },
  };
}

export function chartModel(element: ChartElement, result: QueryResult, color: string): ChartModel {
  const names = result.columns.map((c) => c.name);
  const seriesColumn = columnNamed(result, element.series);
  const base = {
    color: [color, "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16"],
    textStyle: { fontFamily: "inherit" },
    animation: false,
    tooltip: { trigger: element.chart_type === "pie" || element.chart_type === "scatter" ? "item" : "axis" },
  };

  if (element.chart_type === "pie") {
    const category = seriesColumn ?? names[0] ?? null;
    const value = columnNamed(result, element.value) ?? names.find((n) => n !== category) ?? null;
    return {
      category,
      values: result.rows.map((row) => (category ? row[category] : null)),
      option: {
        ...base,
        legend: { bottom: 0, type: "scroll" },
        series: [
          {
            type: "pie",
            name: value ? prettyColumn(value) : "",
            radius: ["38%", "68%"],
            center: ["50%", "45%"],
            label: { position: "inside", formatter: "{d}%", color: "#fff", fontWeight: 600 },
            data: result.rows.map((row) => ({
              name: label(category ? row[category] : null),
              value: value ? row[value] : null,
            })),
          },
        ],
      },
    };
  }

  const x = columnNamed(result, element.x) ?? names.find((n) => n !== seriesColumn) ?? null;
  const ys = names.filter((n) => n !== x && n !== seriesColumn);
  const legend = { top: 0, type: "scroll" };
  const grid = { left: 8, right: 16, top: 32, bottom: 8, containLabel: true };

  if (element.chart_type === "scatter") {
    const groups = seriesColumn ? unique(result.rows, seriesColumn) : [null];
    const y = ys[0];
    return {
      category: null,
      values: [],
      option: {
        ...base,
        legend: seriesColumn ? legend : undefined,
        grid: { ...grid, top: seriesColumn ? 32 : 24, bottom: 28 },
        xAxis: { ...valueAxis(x ? prettyColumn(x) : undefined), nameLocation: "middle", nameGap: 28 },
        yAxis: valueAxis(y ? prettyColumn(y) : undefined),
        series: groups.map((group) => ({
          type: "scatter",
          name: seriesColumn ? label(group) : y ? prettyColumn(y) : "",
          symbolSize: 10,
          data: result.rows
            .filter((row) => !seriesColumn || JSON.stringify(row[seriesColumn] ?? null) === JSON.stringify(group))
            .map((row) => [x ? row[x] : null, y ? row[y] : null]),
        })),
      },
    };
  }

  const categories = x ? unique(result.rows, x) : [];
  const position = new Map(categories.map((c, i) => [JSON.stringify(c ?? null), i]));
  const kind = element.chart_type === "bar" ? "bar" : "line";
  const area = element.chart_type === "area";
  const series: Record<string, unknown>[] = [];
  const groups = seriesColumn ? unique(result.rows, seriesColumn) : [null];
  for (const group of groups) {
    for (const y of ys) {
      const data: (unknown | null)[] = categories.map(() => null);
      for (const row of result.rows) {
        if (seriesColumn && JSON.stringify(row[seriesColumn] ?? null) !== JSON.stringify(group)) continue;
        const at = position.get(JSON.stringify((x ? row[x] : null) ?? null));
        if (at !== undefined) data[at] = row[y] ?? null;
      }
      const name = seriesColumn
        ? ys.length > 1
          ? `${label(group)} · ${prettyColumn(y)}`
          : label(group)
        : prettyColumn(y);
      series.push({
        type: kind,
        name,
        data,
        ...(kind === "bar" ? { barMaxWidth: 48, itemStyle: { borderRadius: [4, 4, 0, 0] } } : {}),
        ...(kind === "line" ? { showSymbol: categories.length < 40, connectNulls: true } : {}),
        ...(area ? { areaStyle: { opacity: 0.18 } } : {}),
        ...(seriesColumn && kind === "bar" ? { stack: "total" } : {}),
      });
    }
  }
  return {
    category: x,
    values: categories,
    option: {
      ...base,
      legend: series.length > 1 ? legend : undefined,
      grid: { ...grid, top: series.length > 1 ? 32 : 16 },
      xAxis: {
        type: "category",
        data: categories.map(label),
        axisLabel: AXIS_LABEL,
        axisTick: { alignWithLabel: true },
        boundaryGap: kind === "bar",
      },
      yAxis: valueAxis(),
      series,
    },
  };
}

/** The KPI's number and the measure's name. */
export function kpiValue(element: ChartElement, result: QueryResult): { label: string; value: unknown } | null {
  const column = columnNamed(result, element.value) ?? result.columns[result.columns.length - 1]?.name;
  if (!column) return null;
  return { label: element.title || prettyColumn(column), value: result.rows[0]?.[column] ?? null };
}
