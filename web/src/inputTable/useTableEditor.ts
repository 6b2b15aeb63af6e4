// The editing model of one input table in the grid: paged rows, edits in flight, cells
// the server refused, new rows not yet saved, staged edits of draft tables, conflicts,
// and live refresh from server-sent events.

import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";

import { ApiError, describeError } from "../api/client";
import { events, type ServerEvent } from "../api/events";
import { inputTables, type PendingEdit, type Row, type TableDefinition } from "../api/inputTables";
import { useResource } from "../api/useResource";
import { useNotices } from "../ui/notices";
import { buildColumns, nextSort, sortParam, type CellMark, type GridColumnModel, type SortState } from "./columns";
import { RowCache } from "./rowCache";
import {
  cleanValues,
  expectedVersion,
  missingRequired,
  pastedRows,
  placeOf,
  problemsForRow,
  type LocalRow,
  type RowPlace,
} from "./writes";
import { valueFromPaste } from "./columns";

export interface CellOverlay {
  value: unknown;
  mark: Extract<CellMark, "saving" | "invalid" | "conflict">;
  message?: string;
  /** Which write set it, so a late answer does not clear a newer edit. */
  seq: number;
}

export interface Conflict {
  rowId: string;
  mine: Record<string, unknown>;
  theirs: Row;
}

export interface Problem {
  key: string;
  /** What discarding does: undo the refused value, or remove the unsaved row. */
  discardLabel: string;
  gridRow: number;
  column: string;
  columnTitle: string;
  message: string;
  discard: () => void;
}

export interface CellEdit {
  row: number;
  column: string;
  value: unknown;
}

/**
 * The version a write should name. The person edited what they saw when the editor
 * opened (`opened`); if the row moved on since, only through our own writes, the current
 * version is right; if anyone else changed it, the write names what they saw, and the
 * server answers with a conflict rather than silently overwriting.
 */
export function baseVersion(current: number, opened: number | undefined, own: Set<number> | undefined): number {
  if (opened === undefined || opened >= current) return current;
  for (let v = opened + 1; v <= current; v++) if (!own?.has(v)) return opened;
  return current;
}

export type SaveState = "idle" | "saving" | "saved" | "error";

function defaultSort(definition: TableDefinition | undefined): SortState | null {
  // New rows land at the end, where they were added, rather than at a random row id.
  return definition && definition.type !== "linked" ? { column: "_created_at", descending: false } : null;
}

export function useTableEditor(tableId: string) {
  const { notify } = useNotices();
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const definition = useResource(`input-table:${tableId}`, (signal) => inputTables.definition(tableId, signal));
  const def = definition.data;
  const isDraft = def?.data_entry === "draft";

  const [userSort, setUserSort] = useState<SortState | null | undefined>(undefined);
  const sort = userSort === undefined ? defaultSort(def) : userSort;
  const [showSystem, setShowSystem] = useState(false);
  const [widths, setWidths] = useState<Record<string, number>>({});
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [saveState, setSaveState] = useState<SaveState>("idle");

  const overlays = useRef(new Map<string, Map<string, CellOverlay>>());
  const localRows = useRef<LocalRow[]>([]);
  const pending = useRef<PendingEdit[]>([]);
  const queues = useRef(new Map<string, Promise<void>>());
  const seq = useRef(0);
  const inFlight = useRef(0);
  const savingLocal = useRef(false);
  /** Row versions our own writes produced. */
  const ownVersions = useRef(new Map<string, Set<number>>());
  /** Cells handed to the grid → the row version they showed, to know what an editor opened on. */
  const shown = useRef(new WeakMap<object, { rowId: string; version: number; column: string }>());
  const openedAt = useRef(new Map<string, number>());
  const visibleTimer = useRef<number | undefined>(undefined);

  const cacheRef = useRef<RowCache | null>(null);
  if (cacheRef.current === null) {
    cacheRef.current = new RowCache(
      (offset, limit, s, signal) => inputTables.rows(tableId, { offset, limit, sort: s }, signal),
      () => {
        // Rows saved from the "new rows" area disappear from it once the grid has them.
        const cache = cacheRef.current;
        if (cache && localRows.current.some((l) => l.savedAs && cache.indexOf(l.savedAs) !== undefined)) {
          localRows.current = localRows.current.filter((l) => !(l.savedAs && cache.indexOf(l.savedAs) !== undefined));
        }
        bump();
      },
      null,
    );
  }
  const cache = cacheRef.current;

  // Sort (and the definition that decides the default sort) → reload from the first page.
  const sortKey = sortParam(sort);
  const started = useRef(false);
  useEffect(() => {
    if (!def) return;
    if (!started.current || cache.sort !== sortKey) {
      started.current = true;
      cache.reset(sortKey);
    }
  }, [def, sortKey, cache]);
  useEffect(() => () => cache.dispose(), [cache]);

  const loadPending = useCallback(async () => {
    if (!isDraft) {
      pending.current = [];
      bump();
      return;
    }
    try {
      pending.current = (await inputTables.pending(tableId)).pending;
    } catch (error) {
      notify({ tone: "error", title: "Staged edits could not be loaded", message: describeError(error) });
    }
    bump();
  }, [isDraft, tableId, notify]);
  useEffect(() => {
    void loadPending();
  }, [loadPending]);

  // ---- live refresh -------------------------------------------------------------------
  const reloadDefinition = definition.reload;
  useEffect(
    () =>
      events.subscribe((event: ServerEvent) => {
        if (event.type === "gap" || event.type === "reconnected") {
          cache.refresh();
          reloadDefinition();
          void loadPending();
          return;
        }
        if (event.data.table_id !== tableId) return;
        switch (event.type) {
          case "rows.changed": {
            const { op, row_ids: rowIds, versions } = event.data;
            if (op === "update") {
              // Skip what we already have (our own writes come back as events too).
              const stale = rowIds.filter(
                (id, i) => (cache.versionOf(id) ?? -1) < (versions?.[i] ?? Number.MAX_SAFE_INTEGER),
              );
              if (stale.length > 0) cache.refreshRows(stale);
            } else {
              cache.refresh();
            }
            break;
          }
          case "input_table.staged":
            void loadPending();
            reloadDefinition();
            break;
          case "input_table.published":
            void loadPending();
            reloadDefinition();
            cache.refresh();
            break;
          case "input_table.changed":
            reloadDefinition();
            cache.reset();
            break;
          default:
            break;
        }
      }),
    [tableId, cache, reloadDefinition, loadPending],
  );

  // ---- the grid's shape ---------------------------------------------------------------
  const columns: GridColumnModel[] = useMemo(
    () => (def ? buildColumns(def.columns, { showSystem, sort, widths }) : []),
    [def, showSystem, sort, widths],
  );
  const required = useMemo(() => columns.filter((c) => c.required && !c.readonly).map((c) => c.id), [columns]);
  const pendingInserts = pending.current.filter((p) => p.op === "insert");
  const staged = new Map<string, Record<string, unknown>>();
  const stagedDeletes = new Set<string>();
  for (const p of pending.current) {
    if (!p.row_id) continue;
    if (p.op === "update") staged.set(p.row_id, { ...staged.get(p.row_id), ...p.values });
    if (p.op === "delete") stagedDeletes.add(p.row_id);
  }
  const serverCount = cache.total ?? 0;
  const rowCount = serverCount + pendingInserts.length + localRows.current.length;
  const place = (row: number): RowPlace => placeOf(row, serverCount, pendingInserts, localRows.current);

  const cellState = (
    row: number,
    column: GridColumnModel,
  ): { value: unknown; mark: CellMark; locked?: string; loading?: boolean } => {
    const where = place(row);
    switch (where.kind) {
      case "server": {
        const r = cache.row(where.index);
        if (!r) return { value: null, mark: null, loading: true };
        const overlay = overlays.current.get(r._row_id)?.get(column.id);
        if (overlay) return { value: overlay.value, mark: overlay.mark };
        if (stagedDeletes.has(r._row_id))
          return { value: r[column.id], mark: "deleted", locked: "deleted in the draft" };
        const stagedValues = staged.get(r._row_id);
        if (stagedValues && column.id in stagedValues) return { value: stagedValues[column.id], mark: "staged" };
        return { value: r[column.id], mark: null };
      }
      case "pending":
        return { value: where.edit.values[column.id], mark: "staged", locked: "a staged new row" };
      case "local":
        return {
          value: where.local.values[column.id],
          mark: where.local.problems[column.id] ? "invalid" : where.local.savedAs ? "saving" : "new",
          locked: where.local.savedAs ? "being saved" : undefined,
        };
      default:
        return { value: null, mark: null, locked: "outside the table" };
    }
  };

  // ---- writes -------------------------------------------------------------------------
  const track = async <T>(work: Promise<T>): Promise<T> => {
    inFlight.current += 1;
    setSaveState("saving");
    try {
      const result = await work;
      return result;
    } finally {
      inFlight.current -= 1;
      if (inFlight.current === 0) setSaveState((s) => (s === "saving" ? "saved" : s));
    }
  };

  const setOverlay = (rowId: string, column: string, overlay: CellOverlay | null) => {
    const row = overlays.current.get(rowId) ?? new Map<string, CellOverlay>();
    if (overlay) row.set(column, overlay);
    else row.delete(column);
    if (row.size > 0) overlays.current.set(rowId, row);
    else overlays.current.delete(rowId);
  };

  /** PATCH one row; writes to the same row wait for each other so each names a fresh version. */
  const writeRow = (rowId: string, values: Record<string, unknown>, base?: Row, opened?: number): Promise<void> => {
    const mySeq = ++seq.current;
    for (const [column, value] of Object.entries(values))
      setOverlay(rowId, column, { value, mark: "saving", seq: mySeq });
    bump();
    const previous = queues.current.get(rowId) ?? Promise.resolve();
    const run = previous.then(async () => {
      const index = cache.indexOf(rowId);
      const row = base ?? (index !== undefined ? cache.row(index) : undefined);
      if (!row) {
        for (const column of Object.keys(values)) setOverlay(rowId, column, null);
        notify({ tone: "error", title: "That row is no longer loaded", message: "Scroll back to it and edit again." });
        return;
      }
      const clearMine = () => {
        for (const column of Object.keys(values)) {
          if (overlays.current.get(rowId)?.get(column)?.seq === mySeq) setOverlay(rowId, column, null);
        }
      };
      try {
        const version = baseVersion(row._version, opened, ownVersions.current.get(rowId));
        const expected = expectedVersion({ ...row, _version: version }, pending.current);
        const result = await track(inputTables.update(tableId, rowId, values, expected));
        if (result.staged) {
          pending.current = [...pending.current, ...result.pending];
        } else {
          for (const written of result.rows) {
            const own = ownVersions.current.get(written._row_id) ?? new Set<number>();
            own.add(written._version);
            ownVersions.current.set(written._row_id, own);
            cache.replaceRow(written);
          }
        }
        clearMine();
      } catch (error) {
        if (error instanceof ApiError && error.status === 409 && error.body.current_row) {
          for (const [column, value] of Object.entries(values))
            setOverlay(rowId, column, { value, mark: "conflict", seq: mySeq });
          setConflict({ rowId, mine: values, theirs: error.body.current_row as Row });
        } else if (error instanceof ApiError && error.status === 422) {
          const problems = problemsForRow(error.details, 0, Object.keys(values));
          for (const [column, value] of Object.entries(values)) {
            const message = problems[column];
            setOverlay(rowId, column, message ? { value, mark: "invalid", message, seq: mySeq } : null);
          }
          setSaveState("error");
        } else {
          clearMine();
          setSaveState("error");
          notify({ tone: "error", title: "The change was not saved", message: describeError(error) });
        }
      }
      bump();
    });
    const settled = run.catch(() => undefined);
    queues.current.set(rowId, settled);
    void settled.then(() => {
      if (queues.current.get(rowId) === settled) queues.current.delete(rowId);
    });
    return settled;
  };

  /** POST every new row as one atomic batch: all are saved, or none and each problem is shown. */
  const saveLocalRows = async (): Promise<void> => {
    const batch = localRows.current.filter((l) => !l.savedAs);
    if (batch.length === 0 || savingLocal.current) return;
    savingLocal.current = true;
    try {
      const result = await track(
        inputTables.insert(
          tableId,
          batch.map((l) => cleanValues(l.values)),
        ),
      );
      if (result.staged) {
        localRows.current = localRows.current.filter((l) => !batch.includes(l));
        pending.current = [...pending.current, ...result.pending];
      } else {
        batch.forEach((l, i) => {
          l.savedAs = result.rows[i]?._row_id ?? `saved-${l.key}`;
        });
        cache.refresh();
        // However the table is sorted, the saved rows leave the "new rows" area soon.
        window.setTimeout(() => {
          localRows.current = localRows.current.filter((l) => !batch.includes(l));
          bump();
        }, 1500);
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) {
        batch.forEach((l, i) => {
          l.problems = problemsForRow(error.details, i, Object.keys(cleanValues(l.values)));
        });
        setSaveState("error");
        notify({
          tone: "error",
          title: batch.length > 1 ? `None of the ${batch.length} new rows were saved` : "The new row was not saved",
          message: "Fix the marked cells; the rows are saved as soon as they are all accepted.",
        });
      } else {
        setSaveState("error");
        notify({ tone: "error", title: "The new rows were not saved", message: describeError(error) });
      }
    } finally {
      savingLocal.current = false;
      bump();
    }
  };

  const saveWhenComplete = () => {
    const open = localRows.current.filter((l) => !l.savedAs);
    const complete = open.every(
      (l) =>
        Object.keys(cleanValues(l.values)).length > 0 &&
        missingRequired(l.values, required).length === 0 &&
        Object.keys(l.problems).length === 0,
    );
    if (open.length > 0 && complete) void saveLocalRows();
  };

  const editCells = (edits: CellEdit[]) => {
    const byServerRow = new Map<string, Record<string, unknown>>();
    const opened = new Map<string, number>();
    let touchedLocal = false;
    for (const edit of edits) {
      const where = place(edit.row);
      if (where.kind === "server") {
        const row = cache.row(where.index);
        if (!row) continue;
        byServerRow.set(row._row_id, { ...byServerRow.get(row._row_id), [edit.column]: edit.value });
        const at = openedAt.current.get(`${row._row_id}:${edit.column}`);
        if (at !== undefined) {
          opened.set(row._row_id, Math.min(at, opened.get(row._row_id) ?? at));
          openedAt.current.delete(`${row._row_id}:${edit.column}`);
        }
      } else if (where.kind === "local" && !where.local.savedAs) {
        where.local.values = { ...where.local.values, [edit.column]: edit.value };
        const { [edit.column]: _fixed, ...rest } = where.local.problems;
        where.local.problems = rest;
        touchedLocal = true;
      }
    }
    for (const [rowId, values] of byServerRow) void writeRow(rowId, values, undefined, opened.get(rowId));
    if (touchedLocal) {
      bump();
      saveWhenComplete();
    }
  };

  const addRow = (): number => {
    const values: Record<string, unknown> = {};
    localRows.current = [...localRows.current, { key: `new-${++seq.current}`, values, problems: {} }];
    bump();
    return rowCount; // the index the new row has
  };

  /** A block pasted from a spreadsheet at (column, row): updates, and new rows in one POST. */
  const paste = (startColumn: number, startRow: number, lines: readonly (readonly string[])[]) => {
    const rows = pastedRows(lines, startColumn, columns, valueFromPaste);
    const updates: CellEdit[] = [];
    let inserts = false;
    rows.forEach((values, i) => {
      const where = place(startRow + i);
      if (where.kind === "outside") {
        localRows.current = [...localRows.current, { key: `new-${++seq.current}`, values, problems: {} }];
        inserts = true;
      } else if (where.kind === "local" && !where.local.savedAs) {
        where.local.values = { ...where.local.values, ...values };
        where.local.problems = Object.fromEntries(Object.entries(where.local.problems).filter(([c]) => !(c in values)));
        inserts = true;
      } else if (where.kind === "server") {
        for (const [column, value] of Object.entries(values)) updates.push({ row: startRow + i, column, value });
      }
    });
    editCells(updates);
    if (inserts) {
      bump();
      // A pasted block is saved at once, whole: every new row, or none with the problems shown.
      void saveLocalRows();
    }
  };

  const deleteRows = async (gridRows: number[]): Promise<void> => {
    const drop = new Set<LocalRow>();
    let deleted = 0;
    const failures: string[] = [];
    for (const gridRow of gridRows) {
      const where = place(gridRow);
      if (where.kind === "local") drop.add(where.local);
      if (where.kind !== "server") continue;
      const row = cache.row(where.index);
      if (!row) continue;
      try {
        await track(inputTables.remove(tableId, row._row_id, expectedVersion(row, pending.current)));
        overlays.current.delete(row._row_id);
        deleted += 1;
      } catch (error) {
        failures.push(describeError(error));
      }
    }
    if (drop.size > 0) localRows.current = localRows.current.filter((l) => !drop.has(l));
    if (deleted > 0) {
      cache.refresh();
      if (isDraft) void loadPending();
    }
    if (failures.length > 0) {
      notify({
        tone: "error",
        title: `${failures.length} row${failures.length > 1 ? "s were" : " was"} not deleted`,
        message: failures[0],
      });
    } else if (deleted > 0) {
      notify({
        tone: "success",
        title:
          `${isDraft ? "Staged: " : ""}${def?.type === "linked" ? "cleared" : "deleted"} ${deleted} row${deleted > 1 ? "s" : ""}`.replace(
            /^./,
            (c) => c.toUpperCase(),
          ),
      });
    }
    bump();
  };

  const resolveConflict = (choice: "mine" | "theirs") => {
    const current = conflict;
    if (!current) return;
    setConflict(null);
    cache.replaceRow(current.theirs);
    if (choice === "mine") {
      void writeRow(current.rowId, current.mine, current.theirs);
    } else {
      for (const column of Object.keys(current.mine)) setOverlay(current.rowId, column, null);
      bump();
    }
  };

  const publish = async () => {
    try {
      const result = await track(inputTables.publish(tableId));
      notify({ tone: "success", title: `Published ${result.published} edit${result.published === 1 ? "" : "s"}` });
    } catch (error) {
      notify({ tone: "error", title: "Nothing was published", message: describeError(error) });
    }
    await loadPending();
    reloadDefinition();
    cache.refresh();
  };

  // ---- problems -----------------------------------------------------------------------
  const titleOf = (id: string) => columns.find((c) => c.id === id)?.title.replace(/ \*$| [↑↓]$/g, "") ?? id;
  const problems: Problem[] = [];
  for (const [rowId, cells] of overlays.current) {
    for (const [column, overlay] of cells) {
      if (overlay.mark !== "invalid") continue;
      const index = cache.indexOf(rowId);
      problems.push({
        key: `${rowId}:${column}`,
        gridRow: index ?? -1,
        column,
        columnTitle: titleOf(column),
        message: overlay.message ?? "not accepted",
        discardLabel: "Undo",
        discard: () => {
          setOverlay(rowId, column, null);
          bump();
        },
      });
    }
  }
  localRows.current.forEach((local, at) => {
    for (const [column, message] of Object.entries(local.problems)) {
      problems.push({
        key: `${local.key}:${column}`,
        gridRow: serverCount + pendingInserts.length + at,
        column,
        columnTitle: titleOf(column),
        message,
        discardLabel: "Remove row",
        discard: () => {
          localRows.current = localRows.current.filter((l) => l !== local);
          bump();
        },
      });
    }
  });

  const rowIdAt = (gridRow: number): string | null => {
    const where = place(gridRow);
    return where.kind === "server" ? (cache.row(where.index)?._row_id ?? null) : null;
  };

  const unsavedRows = localRows.current.filter((l) => !l.savedAs);

  return {
    definition,
    def,
    isDraft,
    columns,
    rowCount,
    serverCount,
    loadError: cache.error,
    loaded: cache.total !== null,
    cellState,
    place,
    rowIdAt,
    /** Remember which row version a cell the grid draws or edits showed. */
    showCell: <T extends object>(cell: T, gridRow: number, column: string): T => {
      const where = place(gridRow);
      const row = where.kind === "server" ? cache.row(where.index) : undefined;
      if (row) shown.current.set(cell, { rowId: row._row_id, version: row._version, column });
      return cell;
    },
    /** The grid opened an editor on `cell`: edits made in it are based on that version. */
    editorOpened: (cell: object) => {
      const seen = shown.current.get(cell);
      if (seen) openedAt.current.set(`${seen.rowId}:${seen.column}`, seen.version);
    },
    rowById: (rowId: string) => {
      const index = cache.indexOf(rowId);
      return index === undefined ? undefined : cache.row(index);
    },
    rowAt: (gridRow: number) => {
      const where = place(gridRow);
      return where.kind === "server" ? cache.row(where.index) : undefined;
    },
    onVisible: (first: number, last: number) => {
      // While a fast scroll goes by, fetch only where it comes to rest.
      window.clearTimeout(visibleTimer.current);
      visibleTimer.current = window.setTimeout(() => cache.ensure(first, last), 40);
    },
    refresh: () => cache.refresh(),
    sort,
    toggleSort: (column: string) => setUserSort(nextSort(sort, column)),
    showSystem,
    setShowSystem,
    setWidth: (column: string, width: number) => setWidths((w) => ({ ...w, [column]: width })),
    editCells,
    addRow,
    paste,
    deleteRows,
    unsavedRows: unsavedRows.length,
    missingInUnsaved: unsavedRows.flatMap((l) => missingRequired(l.values, required)),
    saveLocalRows,
    discardLocalRows: () => {
      localRows.current = localRows.current.filter((l) => l.savedAs);
      bump();
    },
    problems,
    conflict,
    resolveConflict,
    publish,
    pendingCount: isDraft ? pending.current.length : 0,
    saveState,
  };
}

export type TableEditor = ReturnType<typeof useTableEditor>;
