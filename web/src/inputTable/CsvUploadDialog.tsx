// Import a CSV file into an input table: pick a file (or drop it), choose append or
// replace, and follow one progress bar from the bytes sent to the rows written, fed by
// the upload itself and the server's `import.progress` events for this import.

import { useEffect, useId, useRef, useState } from "react";

import { describeError } from "../api/client";
import {
  IDLE,
  describeImport,
  formatBytes,
  importPercent,
  newImportId,
  uploadCsv,
  withServerEvent,
  type ImportMode,
  type ImportReport,
  type ImportState,
  type Upload,
} from "../api/csvUpload";
import { events } from "../api/events";
import { Dialog } from "../ui/Dialog";

export interface CsvUploadDialogProps {
  tableId: string;
  tableName: string;
  onClose: () => void;
  onImported: (report: ImportReport) => void;
}

export function CsvUploadDialog({ tableId, tableName, onClose, onImported }: CsvUploadDialogProps) {
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<ImportMode>("append");
  const [state, setState] = useState<ImportState>(IDLE);
  const [dragging, setDragging] = useState(false);
  const upload = useRef<Upload | null>(null);
  const importId = useRef<string | null>(null);
  const statusId = useId();

  // Server phases of this import (matched by the id the upload sent).
  useEffect(
    () =>
      events.subscribe((event) => {
        if (event.type !== "import.progress" || event.data.import_id !== importId.current) return;
        setState((current) => withServerEvent(current, event.data));
      }),
    [],
  );
  useEffect(() => () => upload.current?.abort(), []);

  const busy = state.phase !== "idle" && state.phase !== "done" && state.phase !== "failed";
  const percent = importPercent(state);

  const start = () => {
    if (!file || busy) return;
    const id = newImportId();
    importId.current = id;
    setState({ ...IDLE, phase: "upload", size: file.size });
    const current = uploadCsv(tableId, file, {
      mode,
      importId: id,
      onSent: (sent, size) => setState((s) => (s.phase === "upload" ? { ...s, sent, size: size || s.size } : s)),
    });
    upload.current = current;
    current.done.then(
      (report) => {
        upload.current = null;
        setState((s) => ({ ...s, phase: "done", rows: report.rows ?? s.rows }));
        onImported(report);
      },
      (error: unknown) => {
        upload.current = null;
        if (error instanceof DOMException && error.name === "AbortError") {
          setState(IDLE);
          return;
        }
        setState((s) => ({ ...s, phase: "failed", message: describeError(error) }));
      },
    );
  };

  const footer = (
    <>
      <button
        type="button"
        className="button button-secondary"
        onClick={busy ? () => upload.current?.abort() : onClose}
      >
        {busy ? "Cancel upload" : state.phase === "done" ? "Done" : "Cancel"}
      </button>
      {state.phase !== "done" ? (
        <button type="button" className="button button-primary" disabled={!file || busy} onClick={start}>
          {state.phase === "failed" ? "Try again" : "Import"}
        </button>
      ) : null}
    </>
  );

  return (
    <Dialog
      title={`Import CSV into ${tableName}`}
      description="UTF-8 CSV with a header row whose names match the table's columns."
      onClose={() => {
        upload.current?.abort();
        onClose();
      }}
      footer={footer}
      width={520}
      closeOnOverlay={!busy}
      dataId="csv-upload"
    >
      <div className="csv-upload">
        <label
          className={`csv-drop${dragging ? " csv-drop-active" : ""}`}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(event) => {
            event.preventDefault();
            setDragging(false);
            const dropped = event.dataTransfer.files[0];
            if (dropped && !busy) {
              setFile(dropped);
              setState(IDLE);
            }
          }}
        >
          <span className="csv-drop-title">{file ? file.name : "Choose a CSV file or drop it here"}</span>
          <span className="csv-drop-hint">{file ? formatBytes(file.size) : "Up to 200 MB"}</span>
          <input
            className="csv-file-input visually-hidden"
            type="file"
            accept=".csv,text/csv"
            disabled={busy}
            aria-label="CSV file"
            aria-describedby={statusId}
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              setState(IDLE);
            }}
          />
        </label>
        <fieldset className="csv-mode" disabled={busy}>
          <legend className="field-label">Existing rows</legend>
          <label className="check">
            <input type="radio" name="csv-mode" checked={mode === "append"} onChange={() => setMode("append")} />
            <span>Keep them and add the file's rows</span>
          </label>
          <label className="check">
            <input type="radio" name="csv-mode" checked={mode === "replace"} onChange={() => setMode("replace")} />
            <span>Replace them with the file's rows</span>
          </label>
        </fieldset>
        {state.phase !== "idle" ? (
          <div className={`csv-progress csv-progress-${state.phase}`}>
            <div
              className="progress"
              role="progressbar"
              aria-label="Import progress"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent}
              aria-valuetext={describeImport(state)}
            >
              <div className="progress-fill" style={{ width: `${state.phase === "failed" ? 100 : percent}%` }} />
            </div>
          </div>
        ) : null}
        <p id={statusId} className={`csv-status csv-status-${state.phase}`} role="status" aria-live="polite">
          {describeImport(state)}
        </p>
      </div>
    </Dialog>
  );
}
