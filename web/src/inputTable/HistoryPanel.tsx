// The edit log of one row, newest first, with revert to any earlier edit.

import { useEffect, useId, useRef, useState } from "react";

import { describeError } from "../api/client";
import { events } from "../api/events";
import { inputTables, type HistoryEntry, type Row } from "../api/inputTables";
import { useResource } from "../api/useResource";
import { ElementState } from "../layout/ElementWrapper";
import { useNotices } from "../ui/notices";
import { displayValue, type GridColumnModel } from "./columns";

const OPS: Record<string, string> = { insert: "Created", update: "Edited", delete: "Deleted" };
const SOURCES: Record<string, string> = {
  revert: "revert",
  publish: "published draft",
  csv: "CSV import",
  action: "action",
};

export function changes(
  entry: HistoryEntry,
  columns: GridColumnModel[],
): { column: GridColumnModel; before: unknown; after: unknown }[] {
  const result = [];
  for (const column of columns) {
    if (column.type === "system") continue;
    const before = entry.before?.[column.id] ?? null;
    const after = entry.after?.[column.id] ?? null;
    if (JSON.stringify(before) !== JSON.stringify(after)) result.push({ column, before, after });
  }
  return result;
}

function time(at: string): string {
  return at.replace("T", " ").slice(0, 16);
}

export function HistoryPanel({
  tableId,
  rowId,
  rowLabel,
  columns,
  onClose,
  onReverted,
}: {
  tableId: string;
  rowId: string;
  rowLabel: string;
  columns: GridColumnModel[];
  onClose: () => void;
  onReverted: (rows: Row[]) => void;
}) {
  const { notify } = useNotices();
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const history = useResource(`history:${tableId}:${rowId}`, (signal) => inputTables.history(tableId, rowId, signal));
  // Someone else's edit of this row shows up here at once.
  const reload = history.reload;
  useEffect(
    () =>
      events.subscribe((event) => {
        if (event.type === "rows.changed" && event.data.table_id === tableId && event.data.row_ids.includes(rowId))
          reload();
      }),
    [tableId, rowId, reload],
  );
  const [busy, setBusy] = useState<number | null>(null);
  useEffect(() => heading.current?.focus(), [rowId]);

  const revert = async (entry: HistoryEntry) => {
    setBusy(entry.edit_num);
    try {
      const rows = await inputTables.revert(tableId, rowId, entry.edit_num);
      notify({ tone: "success", title: `Reverted to edit #${entry.edit_num}` });
      onReverted(rows);
      history.reload();
    } catch (error) {
      notify({ tone: "error", title: "Not reverted", message: describeError(error) });
    } finally {
      setBusy(null);
    }
  };

  const entries = history.data?.entries ?? [];
  return (
    <aside
      className="history-panel"
      aria-labelledby={titleId}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="history-header">
        <div>
          <h3 id={titleId} ref={heading} tabIndex={-1}>
            Row history
          </h3>
          <p className="muted">{rowLabel}</p>
        </div>
        <button type="button" className="icon-button" aria-label="Close history" onClick={onClose}>
          ×
        </button>
      </header>
      {history.loading && !history.data ? <ElementState status="loading" /> : null}
      {history.error ? (
        <ElementState
          status="error"
          title="History could not be loaded"
          message={describeError(history.error)}
          onRetry={history.reload}
        />
      ) : null}
      <ol className="history-list">
        {entries.map((entry, i) => {
          const diff = changes(entry, columns);
          return (
            <li key={entry.edit_num} className={`history-entry op-${entry.op}`}>
              <div className="history-meta">
                <span className={`badge badge-${entry.op}`}>{OPS[entry.op] ?? entry.op}</span>
                <span>
                  by <strong>{entry.actor ?? "unknown"}</strong>
                </span>
                <time dateTime={entry.at}>{time(entry.at)}</time>
              </div>
              {SOURCES[entry.source] ? <p className="muted small">via {SOURCES[entry.source]}</p> : null}
              {diff.length > 0 && entry.op !== "delete" ? (
                <dl className="history-diff">
                  {diff.map(({ column, before, after }) => (
                    <div key={column.id}>
                      <dt>{column.definition?.label ?? column.id}</dt>
                      <dd>
                        {entry.op === "update" ? (
                          <>
                            <del>{displayValue(column, before) || "empty"}</del>
                            <span aria-hidden="true"> → </span>
                            <span className="visually-hidden"> changed to </span>
                          </>
                        ) : null}
                        <ins>{displayValue(column, after) || "empty"}</ins>
                      </dd>
                    </div>
                  ))}
                </dl>
              ) : null}
              {i > 0 && entry.op !== "delete" ? (
                <button
                  type="button"
                  className="button button-outline button-small"
                  disabled={busy !== null}
                  onClick={() => void revert(entry)}
                >
                  {busy === entry.edit_num ? "Reverting…" : "Revert to this"}
                </button>
              ) : null}
            </li>
          );
        })}
      </ol>
      {history.data && entries.length === 0 ? <p className="muted">No edits yet.</p> : null}
    </aside>
  );
}
