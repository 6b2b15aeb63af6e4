// CSV import into an existing input table (`POST /api/sigma/input-tables/{id}/csv`,
// docs/csv-import.md). The browser reports the bytes it sends (XMLHttpRequest upload
// progress); the server reports its phases as `import.progress` events carrying the
// `import_id` the client chose. `importProgress` folds both into one bar.

import type { ImportProgressEvent } from "./events";
import { apiHeaders, parseBody, refusal, unreachable } from "./client";

export type ImportMode = "append" | "replace";

export interface ImportReport {
  table_id: string;
  import_id: string;
  rows: number;
  deleted?: number;
  mode?: string;
  seconds?: number;
  [key: string]: unknown;
}

export type ImportPhase = "idle" | "upload" | ImportProgressEvent["phase"];

export interface ImportState {
  phase: ImportPhase;
  /** Bytes the browser has sent, and the file's size. */
  sent: number;
  size: number;
  /** What the server said last. */
  rows: number;
  bytes: number;
  totalBytes: number;
  message?: string;
}

export const IDLE: ImportState = { phase: "idle", sent: 0, size: 0, rows: 0, bytes: 0, totalBytes: 0 };

// Each phase's share of the bar: sending dominates for large files, the server's
// checking and writing follow.
const SPANS: Record<ImportPhase, [number, number]> = {
  idle: [0, 0],
  upload: [0, 60],
  parse: [60, 75],
  validate: [75, 85],
  write: [85, 99],
  done: [100, 100],
  failed: [0, 0],
};

const ORDER: ImportPhase[] = ["idle", "upload", "parse", "validate", "write", "done"];

/** Percent done, 0–100, never going backwards within one import's phases. */
export function importPercent(state: ImportState): number {
  const [from, to] = SPANS[state.phase];
  if (state.phase === "upload") {
    const fraction = state.size > 0 ? Math.min(1, state.sent / state.size) : 0;
    return Math.round(from + (to - from) * fraction);
  }
  if (state.phase === "parse" && state.totalBytes > 0) {
    return Math.round(from + (to - from) * Math.min(1, state.bytes / state.totalBytes));
  }
  return from;
}

/** Apply a server event; a late event of an earlier phase does not move the bar back. */
export function withServerEvent(state: ImportState, event: ImportProgressEvent): ImportState {
  if (state.phase === "done" || state.phase === "failed") return state;
  const phase =
    event.phase === "failed" || ORDER.indexOf(event.phase) >= ORDER.indexOf(state.phase) ? event.phase : state.phase;
  return {
    ...state,
    phase,
    rows: Math.max(state.rows, event.rows ?? 0),
    bytes: event.bytes ?? state.bytes,
    totalBytes: event.total_bytes || state.totalBytes,
    message: event.message ?? state.message,
  };
}

export function describeImport(state: ImportState): string {
  switch (state.phase) {
    case "idle":
      return "";
    case "upload":
      return `Uploading… ${formatBytes(state.sent)} of ${formatBytes(state.size)}`;
    case "parse":
      return "Reading the file…";
    case "validate":
      return "Checking every row…";
    case "write":
      return state.rows > 0 ? `Writing ${state.rows.toLocaleString()} rows…` : "Writing rows…";
    case "done":
      return `Imported ${state.rows.toLocaleString()} ${state.rows === 1 ? "row" : "rows"}`;
    case "failed":
      return state.message ?? "The import failed";
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function newImportId(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export interface Upload {
  done: Promise<ImportReport>;
  abort: () => void;
}

export function uploadCsv(
  tableId: string,
  file: File,
  options: { mode: ImportMode; importId: string; onSent: (sent: number, total: number) => void },
): Upload {
  const xhr = new XMLHttpRequest();
  const form = new FormData();
  form.append("file", file);
  form.append("mode", options.mode);
  const url = `/api/sigma/input-tables/${encodeURIComponent(tableId)}/csv?import_id=${encodeURIComponent(options.importId)}`;
  const done = new Promise<ImportReport>((resolve, reject) => {
    xhr.upload.onprogress = (event) => options.onSent(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () => {
      const body = parseBody(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as ImportReport);
      else reject(refusal(xhr.status, body, xhr.statusText));
    };
    xhr.onerror = () => reject(unreachable());
    xhr.onabort = () => reject(new DOMException("The upload was cancelled", "AbortError"));
  });
  xhr.open("POST", url);
  for (const [name, value] of Object.entries(apiHeaders())) xhr.setRequestHeader(name, value);
  xhr.send(form);
  return { done, abort: () => xhr.abort() };
}
