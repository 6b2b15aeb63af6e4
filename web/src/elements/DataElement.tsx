// Tables, pivots and charts read their rows through element queries
// (`POST /api/apps/{id}/elements/{element_id}/query`), which this server does not have
// yet. They say so instead of showing made-up data.

import { ElementWrapper } from "../layout/ElementWrapper";
import type { ChartElement, PivotElement, TableElement } from "../spec/types";

function describe(element: TableElement | PivotElement | ChartElement): string {
  switch (element.type) {
    case "table":
      return element.columns.length > 0
        ? `Table of ${element.columns.join(", ")} from ${element.source}`
        : `Table of ${element.source}`;
    case "pivot":
      return `Pivot of ${element.values.join(", ")} by ${[...element.rows, ...element.columns].join(", ") || "—"} from ${element.source}`;
    case "chart": {
      const kind = element.chart_type === "kpi" ? "KPI" : `${element.chart_type} chart`;
      const what = element.chart_type === "kpi" || element.chart_type === "pie" ? element.value : element.y.join(", ");
      const by = element.x ?? element.series;
      return `${kind[0]?.toUpperCase()}${kind.slice(1)} of ${what ?? "—"}${by ? ` by ${by}` : ""} from ${element.source}`;
    }
  }
}

export function DataElementView({ element }: { element: TableElement | PivotElement | ChartElement }) {
  return (
    <ElementWrapper
      element={element}
      status="error"
      title="Element data queries are not available on this server yet"
      message={describe(element)}
    />
  );
}
