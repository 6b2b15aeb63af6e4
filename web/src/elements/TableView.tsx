// A table element: a read-only Glide grid over the element's query rows, loaded a page
// at a time as it scrolls and sorted by the server (a header click: ascending,
// descending, off). A row click runs the table's `select` sequences with that row (and
// tells an embedding page); a right click, the Menu key or Shift+F10 opens its
// `context_menu` sequences as a menu for that row.

import "@glideapps/glide-data-grid/dist/index.css";

import {
  DataEditor,
  GridCellKind,
  type GridCell,
  type GridColumn,
  type DataEditorRef,
  type GridSelection,
  type Item,
} from "@glideapps/glide-data-grid";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";

import { describeError } from "../api/client";
import { formatValue, prettyColumn, queryElement, type QueryColumn, type QueryRow } from "../api/elements";
import type { RowPage } from "../api/inputTables";
import { useControlsKey, useSourceVersion } from "../data/useElementQuery";
import { gridTheme } from "../inputTable/InputTableView";
import { RowCache } from "../inputTable/rowCache";
import { ElementWrapper } from "../layout/ElementWrapper";
import { signals } from "../embed/signals";
import { useRuntime } from "../runtime/runtime";
import type { TableElement } from "../spec/types";
import { useRowMenu } from "../ui/useRowMenu";

const WIDTHS: Record<string, number> = { number: 130, integer: 110, date: 130, boolean: 90 };
const NUMERIC = new Set(["number", "integer"]);

type Sort = { column: string; descending: boolean } | null;

export function sortParam(sort: Sort): string | null {
  return sort ? `${sort.descending ? "-" : ""}${sort.column}` : null;
}

/** The spec's `sort` (`column` or `-column`) as a sort. */
export function parseSort(text: string | null | undefined): Sort {
  if (!text) return null;
  const descending = text.startsWith("-");
  const column = descending ? text.slice(1) : text;
  return column ? { column, descending } : null;
}

export default function TableView({ element }: { element: TableElement }) {
  const runtime = useRuntime();
  const appId = runtime.app.id;
  const controls = useControlsKey();
  const version = useSourceVersion(element.id);
  const [, changed] = useReducer((n: number) => n + 1, 0);
  const [columns, setColumns] = useState<QueryColumn[] | null>(null);
  const [sort, setSort] = useState<Sort>(() => parseSort(element.sort));
  const controlsRef = useRef(controls);
  controlsRef.current = controls;

  const cache = useMemo(
    () =>
      new RowCache(
        async (offset, limit, sortText, signal) => {
          const result = await queryElement(
            appId,
            element.id,
            { controls: JSON.parse(controlsRef.current) as Record<string, unknown>, sort: sortText, limit, offset },
            signal,
          );
          setColumns(result.columns);
          return result as unknown as RowPage;
        },
        changed,
        element.sort ?? null,
      ),
    // The spec's sort is the first one only; later sorts come from header clicks.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [appId, element.id],
  );
  useEffect(() => () => cache.dispose(), [cache]);

  // New filters or a new sort: start over. Changed source rows: refetch what is loaded.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      cache.ensure(0, 50);
      return;
    }
    cache.reset(sortParam(sort));
  }, [cache, controls, sort]);
  useEffect(() => {
    if (version > 0) cache.refresh();
  }, [cache, version]);

  const gridColumns = useMemo<GridColumn[]>(
    () =>
      (columns ?? []).map((c) => {
        const arrow = sort?.column === c.name ? (sort.descending ? " ↓" : " ↑") : "";
        return { id: c.name, title: `${prettyColumn(c.name)}${arrow}`, width: WIDTHS[c.type] ?? 180 };
      }),
    [columns, sort],
  );
  const theme = useMemo(() => gridTheme(runtime.app.theme?.primary_color), [runtime.app.theme?.primary_color]);

  const getCellContent = useCallback(
    ([col, rowIndex]: Item): GridCell => {
      const column = columns?.[col];
      const row = cache.row(rowIndex) as QueryRow | undefined;
      if (!column || !row) {
        return { kind: GridCellKind.Loading, allowOverlay: false };
      }
      const value = row[column.name];
      const text = formatValue(value, column.type);
      if (NUMERIC.has(column.type) && typeof value === "number") {
        return {
          kind: GridCellKind.Number,
          data: value,
          displayData: text,
          allowOverlay: false,
          contentAlign: "right",
        };
      }
      return { kind: GridCellKind.Text, data: text, displayData: text, allowOverlay: false };
    },
    [columns, cache],
  );

  const hasSelect = (runtime.index.sequencesOf.get(element.id) ?? []).some((s) => s.trigger.type === "select");
  const [selection, setSelection] = useState<GridSelection | undefined>(undefined);
  const gridRef = useRef<DataEditorRef>(null);
  const rowMenu = useRowMenu<number>({
    elementId: element.id,
    label: `${element.title ?? element.id} row actions`,
    grid: gridRef,
    keyAt: (rowIndex) => rowIndex,
    rowOf: (rowIndex) => cache.row(rowIndex) as QueryRow | undefined,
  });

  const pick = (rowIndex: number) => {
    const row = cache.row(rowIndex) as QueryRow | undefined;
    if (!row) return;
    if (hasSelect) runtime.run(element.id, "select", [row]);
    else signals.select(element.id, [row]);
  };

  if (cache.error && !columns) {
    return (
      <ElementWrapper
        element={element}
        status="error"
        title="The table could not be loaded"
        message={describeError(cache.error)}
        onRetry={() => cache.reset()}
      />
    );
  }
  if (!columns || cache.total === null) return <ElementWrapper element={element} status="loading" />;
  const total = cache.total;

  return (
    <ElementWrapper element={element} className="element-table-frame" label={element.title ?? undefined}>
      {element.title ? <h3 className="element-title">{element.title}</h3> : null}
      <div className="data-table" data-total={total} data-testid={`table-${element.id}`}>
        <div className="data-table-grid" onKeyDown={(event) => rowMenu.onKeyDown(event, selection?.current?.cell)}>
          <DataEditor
            ref={gridRef}
            columns={gridColumns}
            rows={total}
            getCellContent={getCellContent}
            theme={theme}
            width="100%"
            height="100%"
            rowHeight={34}
            headerHeight={36}
            rowMarkers="none"
            smoothScrollY
            smoothScrollX
            getCellsForSelection={true}
            keybindings={{ copy: true, selectAll: true, search: true }}
            onVisibleRegionChanged={(range) => cache.ensure(range.y, range.y + range.height)}
            onHeaderClicked={(col) => {
              const column = columns[col];
              if (!column) return;
              setSort((s) =>
                s?.column !== column.name
                  ? { column: column.name, descending: false }
                  : s.descending
                    ? null
                    : { column: column.name, descending: true },
              );
            }}
            gridSelection={selection}
            onGridSelectionChange={setSelection}
            onCellClicked={([, rowIndex]) => pick(rowIndex)}
            onCellContextMenu={([col, rowIndex], event) => {
              const x = event.bounds.x + event.localEventX;
              if (rowMenu.openAtPointer(col, rowIndex, x, event.bounds.y + event.localEventY)) {
                event.preventDefault();
              }
            }}
          />
          {total === 0 ? (
            <div className="data-table-empty">
              <span>No rows match the filters.</span>
            </div>
          ) : null}
        </div>
        {rowMenu.element}
        <div className="data-table-footer" aria-live="polite">
          {total.toLocaleString()} {total === 1 ? "row" : "rows"}
          {cache.error ? <span className="data-table-error"> · {describeError(cache.error)}</span> : null}
        </div>
      </div>
    </ElementWrapper>
  );
}
