// An editable input table: Glide Data Grid over server-side pages, with a toolbar (add,
// delete, history, CSV import, who/when columns, draft and publish), validation problems
// under the grid, the conflict dialog and the row history panel. Selecting a row runs the
// element's `select` sequences with it; right-click (or the Menu key / Shift+F10) opens
// its `context_menu` sequences as a menu.

import "@glideapps/glide-data-grid/dist/index.css";

import {
  CompactSelection,
  DataEditor,
  GridCellKind,
  type DataEditorRef,
  type DrawCellCallback,
  type EditListItem,
  type GridCell,
  type GridColumn,
  type GridSelection,
  type Item,
  type Theme,
} from "@glideapps/glide-data-grid";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";

import { ApiError, describeError } from "../api/client";
import { events } from "../api/events";
import { ElementWrapper } from "../layout/ElementWrapper";
import { useRuntime } from "../runtime/runtime";
import type { InputTableElement } from "../spec/types";
import { useRowMenu } from "../ui/useRowMenu";
import { Dialog } from "../ui/Dialog";
import { CUSTOM_RENDERERS } from "./cells";
import { parseClipboardText } from "./clipboard";
import { cellFor, displayValue, valueFromCell } from "./columns";
import { ConflictDialog } from "./ConflictDialog";
import { CsvUploadDialog } from "./CsvUploadDialog";
import { HistoryPanel } from "./HistoryPanel";
import { useTableEditor } from "./useTableEditor";

const FONT = 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

export function gridTheme(primary: string | null | undefined): Partial<Theme> {
  const accent = primary && /^#[0-9a-f]{6}$/i.test(primary) ? primary : "#2563eb";
  return {
    accentColor: accent,
    accentLight: `${accent}1a`,
    accentFg: "#ffffff",
    textDark: "#0f172a",
    textMedium: "#475569",
    textLight: "#94a3b8",
    textHeader: "#334155",
    textHeaderSelected: "#ffffff",
    bgCell: "#ffffff",
    bgCellMedium: "#f8fafc",
    bgHeader: "#f8fafc",
    bgHeaderHovered: "#f1f5f9",
    bgHeaderHasFocus: "#eef2ff",
    bgBubble: "#eef2ff",
    bgBubbleSelected: "#e0e7ff",
    textBubble: "#3730a3",
    borderColor: "#e6e9ef",
    horizontalBorderColor: "#eef0f4",
    headerBottomBorderColor: "#d5dae3",
    fontFamily: FONT,
    baseFontStyle: "13px",
    headerFontStyle: "600 12px",
    markerFontStyle: "11px",
    editorFontSize: "13px",
    cellHorizontalPadding: 10,
    headerIconSize: 16,
    bgIconHeader: "#64748b",
    fgIconHeader: "#ffffff",
  };
}

const EMPTY_SELECTION: GridSelection = { columns: CompactSelection.empty(), rows: CompactSelection.empty() };

function useLiveState() {
  return useSyncExternalStore(
    (listener) => events.onState(listener),
    () => events.state,
  );
}

export default function InputTableView({ element }: { element: InputTableElement }) {
  const runtime = useRuntime();
  const tableId = element.input_table;
  const editor = useTableEditor(tableId);
  const grid = useRef<DataEditorRef>(null);
  const [selection, setSelection] = useState<GridSelection>(EMPTY_SELECTION);
  const [historyRow, setHistoryRow] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<number[] | null>(null);
  const [uploading, setUploading] = useState(false);
  const live = useLiveState();
  const theme = useMemo(() => gridTheme(runtime.app.theme?.primary_color), [runtime.app.theme?.primary_color]);
  const { columns } = editor;

  const gridColumns: GridColumn[] = useMemo(
    () =>
      columns.map((c) => ({
        id: c.id,
        title: c.title,
        width: c.width,
        icon: c.icon,
        themeOverride: c.readonly ? { bgCell: "#fbfcfd", textDark: "#475569" } : undefined,
      })),
    [columns],
  );

  const getCellContent = useCallback(
    ([col, row]: Item): GridCell => {
      const column = columns[col];
      if (!column) return { kind: GridCellKind.Loading, allowOverlay: false };
      const state = editor.cellState(row, column);
      if (state.loading) return { kind: GridCellKind.Loading, allowOverlay: false, skeletonWidthVariability: 40 };
      return editor.showCell(cellFor(column, state.value, state.mark, state.locked), row, column.id);
    },
    // The editor re-renders this component whenever its data changes.
    [columns, editor],
  );

  const drawCell: DrawCellCallback = (args, drawContent) => {
    drawContent();
    const column = columns[args.col];
    if (!column) return;
    const mark = editor.cellState(args.row, column).mark;
    if (mark !== "invalid" && mark !== "conflict") return;
    const { ctx, rect } = args;
    ctx.beginPath();
    ctx.moveTo(rect.x + rect.width - 9, rect.y + 1);
    ctx.lineTo(rect.x + rect.width - 1, rect.y + 1);
    ctx.lineTo(rect.x + rect.width - 1, rect.y + 9);
    ctx.closePath();
    ctx.fillStyle = mark === "invalid" ? "#dc2626" : "#ea580c";
    ctx.fill();
  };

  const selectedCell = selection.current?.cell;
  const selectedRowIds = selection.rows.toArray();
  const focusRowIndex = selectedCell?.[1] ?? (selectedRowIds.length === 1 ? selectedRowIds[0] : undefined);
  const focusRowId = focusRowIndex !== undefined ? editor.rowIdAt(focusRowIndex) : null;
  const selectedProblem = selectedCell
    ? editor.problems.find((p) => p.gridRow === selectedCell[1] && p.column === columns[selectedCell[0]]?.id)
    : undefined;

  // The element's actions: `select` with the focused row, menu items with a row.
  const hasSelect = (runtime.index.sequencesOf.get(element.id) ?? []).some((s) => s.trigger.type === "select");
  const selectedRun = useRef<string | null>(null);
  const selectRunning = runtime.running.has(element.id);
  useEffect(() => {
    // One run at a time (the server refuses a second): a row picked meanwhile runs next.
    if (!hasSelect || !focusRowId || selectRunning || selectedRun.current === focusRowId) return;
    const row = editor.rowById(focusRowId);
    if (!row) return;
    selectedRun.current = focusRowId;
    runtime.run(element.id, "select", [row]);
  });
  const rowMenu = useRowMenu<string>({
    elementId: element.id,
    label: `${editor.def?.name ?? tableId} row actions`,
    grid,
    keyAt: (row) => editor.rowIdAt(row),
    rowOf: (rowId) => editor.rowById(rowId),
  });

  const labelOfRow = (rowId: string): string => {
    const row = editor.rowById(rowId);
    const first = columns.find((c) => c.type === "text");
    const text = row && first ? displayValue(first, row[first.id]) : "";
    return text ? `${first?.definition?.label ?? first?.id}: ${text}` : `Row ${rowId.slice(0, 12)}`;
  };

  // Paste from the clipboard event (no clipboard permission prompt), as one block.
  const gridBox = useRef<HTMLDivElement>(null);
  // Whether a cell editor of this grid is open (they live outside it, in the portal).
  const editorOpen = useRef(false);
  const latest = useRef({ selection, editor });
  latest.current = { selection, editor };
  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      // The grid mounts after the definition loads: look it up when the paste happens.
      const box = gridBox.current;
      const active = document.activeElement;
      const text = event.clipboardData?.getData("text/plain");
      if (!box || !active || !text) return;
      const inGrid = box.contains(active);
      // A block (tabs or several lines) pasted into an open cell editor of this grid is
      // pasted as a block at that cell, not as text into the one cell.
      const inEditor = !inGrid && editorOpen.current && active.closest("#portal") !== null;
      if (!inGrid && !(inEditor && /[\t\n]/.test(text.trimEnd()))) return;
      const { selection: current, editor: target } = latest.current;
      const at =
        current.current?.range ?? (current.rows.length > 0 ? { x: 0, y: current.rows.first() ?? 0 } : undefined);
      if (!at) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      if (inEditor) active.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
      target.paste(at.x, at.y, parseClipboardText(text));
    };
    window.addEventListener("paste", onPaste, true);
    return () => window.removeEventListener("paste", onPaste, true);
  }, []);

  const selectCell = useCallback((col: number, row: number) => {
    grid.current?.scrollTo(col, row);
    setSelection({
      ...EMPTY_SELECTION,
      current: { cell: [col, row], range: { x: col, y: row, width: 1, height: 1 }, rangeStack: [] },
    });
    // Focus once the grid has the selection, or it selects its first cell on focus.
    window.setTimeout(() => grid.current?.focus(), 0);
  }, []);

  // A new row is selected once the grid has it (after the render that adds it).
  const pendingSelect = useRef<[number, number] | null>(null);
  useEffect(() => {
    const target = pendingSelect.current;
    if (target && editor.rowCount > target[1]) {
      pendingSelect.current = null;
      selectCell(target[0], target[1]);
    }
  });

  const addRow = () => {
    const at = editor.addRow();
    pendingSelect.current = [
      Math.max(
        0,
        columns.findIndex((c) => !c.readonly),
      ),
      at,
    ];
  };

  if (editor.definition.error && !editor.def) {
    const error = editor.definition.error;
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <ElementWrapper
        element={element}
        status="error"
        title={missing ? `Input table '${tableId}' does not exist on this server` : "The table could not be loaded"}
        message={missing ? "Apply the app spec again to create it." : describeError(error)}
        onRetry={missing ? undefined : editor.definition.reload}
      />
    );
  }
  if (!editor.def) return <ElementWrapper element={element} status="loading" title="Loading table…" />;
  const def = editor.def;
  const editable = columns.some((c) => !c.readonly);
  // Rows of a linked table come from the warehouse: they can be annotated and cleared,
  // not added or removed here.
  const linked = def.type === "linked";
  const canAdd = editable && !linked;
  const removeWord = linked ? "Clear" : "Delete";
  const deletable = selectedRowIds.length > 0;
  const canImport = canAdd && !editor.isDraft;

  return (
    <ElementWrapper element={element} label={def.name} className="input-table">
      <div className="it-toolbar" role="toolbar" aria-label={`${def.name} actions`}>
        <div className="it-heading">
          <h2 className="it-title">{def.name}</h2>
          {editor.isDraft ? (
            <span className="badge badge-draft" title="Edits are staged until published">
              Draft · {editor.pendingCount} pending
            </span>
          ) : (
            <span className="badge badge-live" title="Edits are written to the warehouse at once">
              Published
            </span>
          )}
          <span
            className={`live-dot live-${live}`}
            title={live === "live" ? "Live: other people's edits appear here" : "Reconnecting…"}
          >
            <span className="visually-hidden">{live === "live" ? "Live updates on" : "Live updates reconnecting"}</span>
          </span>
        </div>
        <div className="it-actions">
          {canAdd ? (
            <button type="button" className="button button-outline button-small" onClick={addRow}>
              + Add row
            </button>
          ) : null}
          <button
            type="button"
            className="button button-outline button-small"
            disabled={!deletable}
            onClick={() => setConfirmDelete(selectedRowIds)}
          >
            {removeWord}
            {selectedRowIds.length > 0 ? ` ${selectedRowIds.length}` : ""} row{selectedRowIds.length === 1 ? "" : "s"}
          </button>
          <button
            type="button"
            className="button button-outline button-small"
            disabled={!focusRowId}
            aria-pressed={historyRow !== null}
            onClick={() => setHistoryRow(historyRow ? null : focusRowId)}
          >
            History
          </button>
          {canImport ? (
            <button type="button" className="button button-outline button-small" onClick={() => setUploading(true)}>
              Import CSV
            </button>
          ) : null}
          <label className="check check-small">
            <input
              type="checkbox"
              checked={editor.showSystem}
              onChange={(e) => editor.setShowSystem(e.target.checked)}
            />
            <span>Who &amp; when</span>
          </label>
          {editor.isDraft ? (
            <button
              type="button"
              className="button button-primary button-small"
              disabled={editor.pendingCount === 0}
              onClick={() => void editor.publish()}
            >
              Publish{editor.pendingCount > 0 ? ` ${editor.pendingCount}` : ""}
            </button>
          ) : null}
        </div>
      </div>

      <div className="it-body">
        <div
          ref={gridBox}
          className="it-grid"
          data-testid={`grid-${tableId}`}
          onKeyDown={(event) => rowMenu.onKeyDown(event, selection.current?.cell)}
        >
          {editor.loadError && !editor.loaded ? (
            <div className="it-overlay">
              <strong>Rows could not be loaded</strong>
              <span>{describeError(editor.loadError)}</span>
              <button type="button" className="button button-outline button-small" onClick={editor.refresh}>
                Try again
              </button>
            </div>
          ) : null}
          {editor.loaded && editor.rowCount === 0 ? (
            <div className="it-empty" aria-hidden="true">
              <span>No rows yet{canAdd ? " — add one, or paste rows from a spreadsheet" : ""}.</span>
            </div>
          ) : null}
          <DataEditor
            ref={grid}
            columns={gridColumns}
            rows={editor.rowCount}
            getCellContent={getCellContent}
            customRenderers={CUSTOM_RENDERERS}
            provideEditor={(cell) => {
              editorOpen.current = true;
              editor.editorOpened(cell);
              return undefined;
            }}
            onFinishedEditing={() => {
              editorOpen.current = false;
            }}
            drawCell={drawCell}
            theme={theme}
            width="100%"
            height="100%"
            rowHeight={34}
            headerHeight={36}
            rowMarkers="both"
            smoothScrollX
            smoothScrollY
            getCellsForSelection={true}
            gridSelection={selection}
            onGridSelectionChange={setSelection}
            onVisibleRegionChanged={(range) => editor.onVisible(range.y, range.y + range.height)}
            onHeaderClicked={(col) => {
              const column = columns[col];
              if (column) editor.toggleSort(column.id);
            }}
            onCellContextMenu={([col, row], event) => {
              if (!rowMenu.hasItems) return;
              event.preventDefault();
              selectCell(col, row);
              rowMenu.openAtPointer(col, row, event.bounds.x + event.localEventX, event.bounds.y + event.localEventY);
            }}
            onColumnResize={(column, size) => editor.setWidth(String(column.id), size)}
            onCellsEdited={(items: readonly EditListItem[]) => {
              editor.editCells(
                items.flatMap(({ location: [col, row], value }) => {
                  const column = columns[col];
                  return column && !column.readonly
                    ? [{ row, column: column.id, value: valueFromCell(column, value) }]
                    : [];
                }),
              );
              return true;
            }}
            onDelete={(current) => {
              if (current.rows.length > 0) {
                setConfirmDelete(current.rows.toArray());
                return false;
              }
              return true;
            }}
            trailingRowOptions={
              canAdd
                ? {
                    hint: "Add row",
                    sticky: false,
                    tint: true,
                    targetColumn: Math.max(
                      0,
                      columns.findIndex((c) => !c.readonly),
                    ),
                  }
                : undefined
            }
            onRowAppended={canAdd ? () => void editor.addRow() : undefined}
            keybindings={{ search: true, selectAll: true, copy: true, paste: false, clear: true }}
          />
        </div>
        {rowMenu.element}
        {uploading ? (
          <CsvUploadDialog
            tableId={tableId}
            tableName={def.name}
            onClose={() => setUploading(false)}
            onImported={() => editor.refresh()}
          />
        ) : null}
        {historyRow ? (
          <HistoryPanel
            tableId={tableId}
            rowId={historyRow}
            rowLabel={labelOfRow(historyRow)}
            columns={columns}
            onClose={() => setHistoryRow(null)}
            onReverted={() => editor.refresh()}
          />
        ) : null}
      </div>

      <div className="it-status">
        <span className="it-count">
          {editor.loaded
            ? `${editor.serverCount.toLocaleString()} row${editor.serverCount === 1 ? "" : "s"}`
            : "Loading rows…"}
          {editor.sort && !editor.sort.column.startsWith("_")
            ? ` · sorted by ${editor.sort.column}${editor.sort.descending ? " (descending)" : ""}`
            : ""}
        </span>
        <span className={`save-state save-${editor.saveState}`} role="status" aria-live="polite">
          {editor.saveState === "saving"
            ? "Saving…"
            : editor.saveState === "saved"
              ? editor.isDraft
                ? "Staged"
                : "All changes saved"
              : editor.saveState === "error"
                ? "Some changes were not saved"
                : ""}
        </span>
      </div>

      {selectedProblem ? (
        <p className="it-cell-problem" role="alert">
          <strong>{selectedProblem.columnTitle}:</strong> {selectedProblem.message}
        </p>
      ) : null}

      {editor.unsavedRows > 0 ? (
        <div className="it-unsaved" role="region" aria-label="New rows">
          <span>
            {editor.unsavedRows} new row{editor.unsavedRows > 1 ? "s" : ""} not saved yet
            {editor.missingInUnsaved.length > 0 ? ` — fill in ${[...new Set(editor.missingInUnsaved)].join(", ")}` : ""}
          </span>
          <button
            type="button"
            className="button button-primary button-small"
            onClick={() => void editor.saveLocalRows()}
          >
            Save
          </button>
          <button type="button" className="button button-link button-small" onClick={editor.discardLocalRows}>
            Discard
          </button>
        </div>
      ) : null}

      {editor.problems.length > 0 ? (
        <details className="it-problems" open>
          <summary>
            {editor.problems.length} cell{editor.problems.length > 1 ? "s" : ""} need
            {editor.problems.length > 1 ? "" : "s"} attention
          </summary>
          <ul>
            {editor.problems.map((problem) => (
              <li key={problem.key}>
                <button
                  type="button"
                  className="button button-link button-small"
                  onClick={() => {
                    const col = columns.findIndex((c) => c.id === problem.column);
                    if (problem.gridRow >= 0 && col >= 0) selectCell(col, problem.gridRow);
                  }}
                >
                  Row {problem.gridRow + 1} · {problem.columnTitle}
                </button>
                <span className="problem-message">{problem.message}</span>
                <button type="button" className="button button-link button-small" onClick={problem.discard}>
                  {problem.discardLabel}
                </button>
              </li>
            ))}
          </ul>
        </details>
      ) : null}

      {editor.conflict ? (
        <ConflictDialog conflict={editor.conflict} columns={columns} onResolve={editor.resolveConflict} />
      ) : null}

      {confirmDelete ? (
        <Dialog
          title={`${removeWord} ${confirmDelete.length} row${confirmDelete.length > 1 ? "s" : ""}?`}
          description={
            linked
              ? "The values entered for these rows are cleared. The rows stay: they come from the warehouse table."
              : editor.isDraft
                ? "The deletion is staged and happens when the draft is published."
                : "The rows are removed from the warehouse table. Their history keeps them, so they can be restored."
          }
          onClose={() => setConfirmDelete(null)}
          width={420}
          role="alertdialog"
          footer={
            <>
              <button type="button" className="button button-secondary" onClick={() => setConfirmDelete(null)}>
                Cancel
              </button>
              <button
                type="button"
                className="button button-danger"
                onClick={() => {
                  const rows = confirmDelete;
                  setConfirmDelete(null);
                  setSelection(EMPTY_SELECTION);
                  void editor.deleteRows(rows);
                }}
              >
                {removeWord}
              </button>
            </>
          }
        >
          {null}
        </Dialog>
      ) : null}
    </ElementWrapper>
  );
}
