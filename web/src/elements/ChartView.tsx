// Charts (ECharts, loaded with the first chart) and KPIs, from the element's query rows.

import { lazy, Suspense, useMemo } from "react";

import { describeError } from "../api/client";
import { formatValue } from "../api/elements";
import { chartModel, kpiValue } from "../data/chartOptions";
import { useElementRows } from "../data/useElementQuery";
import { ElementWrapper } from "../layout/ElementWrapper";
import { useRuntime } from "../runtime/runtime";
import type { ChartElement } from "../spec/types";

const EChart = lazy(() => import("../data/EChart"));

function Kpi({ element }: { element: ChartElement }) {
  const rows = useElementRows(element.id, 1);
  if (rows.error && !rows.data) {
    return (
      <ElementWrapper
        element={element}
        status="error"
        title="The number could not be loaded"
        message={describeError(rows.error)}
        onRetry={rows.reload}
      />
    );
  }
  if (!rows.data) return <ElementWrapper element={element} status="loading" />;
  const kpi = kpiValue(element, rows.data);
  if (!kpi || kpi.value === null) {
    return <ElementWrapper element={element} status="empty" title="No value" message="No rows match the filters." />;
  }
  return (
    <ElementWrapper element={element} label={kpi.label}>
      <div className="kpi" aria-busy={rows.loading || undefined}>
        <span className="kpi-label">{kpi.label}</span>
        <strong className="kpi-value" data-testid={`kpi-${element.id}`}>
          {formatValue(kpi.value)}
        </strong>
      </div>
    </ElementWrapper>
  );
}

function Chart({ element }: { element: ChartElement }) {
  const runtime = useRuntime();
  const rows = useElementRows(element.id);
  const color = runtime.app.theme?.primary_color ?? "#2563eb";
  const model = useMemo(() => (rows.data ? chartModel(element, rows.data, color) : null), [element, rows.data, color]);
  if (rows.error && !rows.data) {
    return (
      <ElementWrapper
        element={element}
        status="error"
        title="The chart could not be loaded"
        message={describeError(rows.error)}
        onRetry={rows.reload}
      />
    );
  }
  if (!rows.data || !model) return <ElementWrapper element={element} status="loading" />;
  if (rows.data.rows.length === 0) {
    return <ElementWrapper element={element} status="empty" title="No data" message="No rows match the filters." />;
  }
  const hasSelect = (runtime.index.sequencesOf.get(element.id) ?? []).some((s) => s.trigger.type === "select");
  const category = model.category;
  const label = `${element.chart_type} chart, ${rows.data.rows.length} rows`;
  return (
    <ElementWrapper element={element} className="element-chart-frame" label={element.title ?? undefined}>
      {element.title ? <h3 className="element-title">{element.title}</h3> : null}
      <div className="chart" data-rows={rows.data.rows.length} aria-busy={rows.loading || undefined}>
        <Suspense fallback={<div className="echart" />}>
          <EChart
            option={model.option}
            label={label}
            onSelect={
              hasSelect && category
                ? (_name, index) => runtime.run(element.id, "select", [{ [category]: model.values[index] ?? null }])
                : undefined
            }
          />
        </Suspense>
      </div>
    </ElementWrapper>
  );
}

export function ChartView({ element }: { element: ChartElement }) {
  return element.chart_type === "kpi" ? <Kpi element={element} /> : <Chart element={element} />;
}
