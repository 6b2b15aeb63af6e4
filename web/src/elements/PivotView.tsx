// A pivot: the server answers long-format rows (row dims, column dims, values); they are
// crossed here into a table with one header row per column dimension.

import { describeError } from "../api/client";
import { formatValue, prettyColumn, type QueryResult } from "../api/elements";
import { useElementRows } from "../data/useElementQuery";
import { ElementWrapper } from "../layout/ElementWrapper";
import type { PivotElement } from "../spec/types";

export interface CrossTab {
  rowDims: string[];
  /** Each column of values: the column dimension values and the value column. */
  columns: { keys: unknown[]; value: string }[];
  rows: { keys: unknown[]; cells: unknown[] }[];
}

const keyOf = (values: unknown[]) => JSON.stringify(values.map((v) => v ?? null));

export function crossTab(element: PivotElement, result: QueryResult): CrossTab {
  const names = new Set(result.columns.map((c) => c.name));
  const rowDims = element.rows.filter((r) => names.has(r));
  const colDims = element.columns.filter((c) => names.has(c));
  const values = element.values.filter((v) => names.has(v));
  const measures = values.length > 0 ? values : [...names].filter((n) => !rowDims.includes(n) && !colDims.includes(n));
  const colKeys = new Map<string, unknown[]>();
  const rowKeys = new Map<string, unknown[]>();
  const cells = new Map<string, unknown>();
  for (const row of result.rows) {
    const r = rowDims.map((d) => row[d]);
    const c = colDims.map((d) => row[d]);
    rowKeys.set(keyOf(r), r);
    colKeys.set(keyOf(c), c);
    for (const m of measures) cells.set(`${keyOf(r)}|${keyOf(c)}|${m}`, row[m]);
  }
  const columns = [...colKeys.values()].flatMap((keys) => measures.map((value) => ({ keys, value })));
  return {
    rowDims,
    columns,
    rows: [...rowKeys.values()].map((keys) => ({
      keys,
      cells: columns.map((c) => cells.get(`${keyOf(keys)}|${keyOf(c.keys)}|${c.value}`) ?? null),
    })),
  };
}

export function PivotView({ element }: { element: PivotElement }) {
  const rows = useElementRows(element.id);
  if (rows.error && !rows.data) {
    return (
      <ElementWrapper
        element={element}
        status="error"
        title="The pivot could not be loaded"
        message={describeError(rows.error)}
        onRetry={rows.reload}
      />
    );
  }
  if (!rows.data) return <ElementWrapper element={element} status="loading" />;
  if (rows.data.rows.length === 0) {
    return <ElementWrapper element={element} status="empty" title="No data" message="No rows match the filters." />;
  }
  const types = new Map(rows.data.columns.map((c) => [c.name, c.type]));
  const table = crossTab(element, rows.data);
  const colDims = element.columns.filter((c) => types.has(c));
  const multipleMeasures = new Set(table.columns.map((c) => c.value)).size > 1;
  return (
    <ElementWrapper element={element} label={element.title ?? undefined}>
      {element.title ? <h3 className="element-title">{element.title}</h3> : null}
      <div className="pivot" aria-busy={rows.loading || undefined}>
        {!multipleMeasures && colDims.length > 0 && table.columns[0] ? (
          <p className="pivot-caption">
            {prettyColumn(table.columns[0].value)} by {colDims.join(", ")}
          </p>
        ) : null}
        <table className="pivot-table">
          <thead>
            {colDims.map((dim, level) => (
              <tr key={dim}>
                {table.rowDims.map((r, i) => (
                  <th key={r} scope="col" className="pivot-corner">
                    {level === colDims.length - 1 && !multipleMeasures ? r : i === 0 ? dim : ""}
                  </th>
                ))}
                {table.columns.map((c, i) => (
                  <th key={i} scope="col">
                    {formatValue(c.keys[level]) || "(blank)"}
                  </th>
                ))}
              </tr>
            ))}
            {multipleMeasures || colDims.length === 0 ? (
              <tr>
                {table.rowDims.map((r) => (
                  <th key={r} scope="col" className="pivot-corner">
                    {r}
                  </th>
                ))}
                {table.columns.map((c, i) => (
                  <th key={i} scope="col">
                    {prettyColumn(c.value)}
                  </th>
                ))}
              </tr>
            ) : null}
          </thead>
          <tbody>
            {table.rows.map((row) => (
              <tr key={keyOf(row.keys)}>
                {row.keys.map((k, i) => (
                  <th key={i} scope="row">
                    {formatValue(k) || "(blank)"}
                  </th>
                ))}
                {row.cells.map((cell, i) => (
                  <td key={i} className="num">
                    {formatValue(cell, types.get(table.columns[i]?.value ?? ""))}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </ElementWrapper>
  );
}
