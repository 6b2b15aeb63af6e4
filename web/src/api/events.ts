// One shared `GET /api/events` stream for the whole page. EventSource cannot send headers,
// so the token goes as `?access_token=` (the server has to accept it there).

import { auth } from "./auth";

export interface RowsChanged {
  table_id: string;
  op: "insert" | "update" | "delete" | string;
  row_ids: string[];
  versions?: number[];
  edit_nums?: number[];
}

export type ServerEvent =
  | { type: "rows.changed"; data: RowsChanged }
  | { type: "input_table.staged"; data: { table_id: string; pending?: string[] } }
  | { type: "input_table.published"; data: { table_id: string; edits?: number } }
  | { type: "input_table.changed"; data: { table_id: string } }
  | { type: "input_table.deleted"; data: { table_id: string } }
  | { type: "input_table.imported"; data: { table_id: string } }
  | { type: "import.progress"; data: ImportProgressEvent }
  | { type: "gap"; data: { dropped?: number } }
  | { type: "reconnected"; data: Record<string, never> };

/** `import.progress` (docs/csv-import.md): phases upload → parse → validate → write → done, or failed. */
export interface ImportProgressEvent {
  table_id: string | null;
  import_id: string;
  phase: "upload" | "parse" | "validate" | "write" | "done" | "failed";
  rows: number;
  bytes: number;
  total_bytes: number;
  message?: string;
}

export type ConnectionState = "connecting" | "live" | "offline";

const EVENT_TYPES = [
  "rows.changed",
  "input_table.staged",
  "input_table.published",
  "input_table.changed",
  "input_table.deleted",
  "input_table.imported",
  "import.progress",
  "gap",
] as const;

type Handler = (event: ServerEvent) => void;

export function eventsUrl(token: string | null): string {
  return token ? `/api/events?access_token=${encodeURIComponent(token)}` : "/api/events";
}

class EventStream {
  private source: EventSource | null = null;
  private handlers = new Set<Handler>();
  private stateListeners = new Set<() => void>();
  private retryTimer: number | undefined;
  private retryDelay = 1000;
  private everConnected = false;
  state: ConnectionState = "connecting";

  subscribe(handler: Handler): () => void {
    this.handlers.add(handler);
    if (!this.source && this.retryTimer === undefined) this.open();
    return () => {
      this.handlers.delete(handler);
      if (this.handlers.size === 0) this.close();
    };
  }

  onState(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Re-open with the current token (after signing in). */
  restart(): void {
    this.close();
    if (this.handlers.size > 0) this.open();
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener();
  }

  private emit(event: ServerEvent): void {
    for (const handler of this.handlers) handler(event);
  }

  private open(): void {
    if (typeof EventSource === "undefined") return;
    this.setState("connecting");
    const source = new EventSource(eventsUrl(auth.token()));
    this.source = source;
    source.onopen = () => {
      this.retryDelay = 1000;
      this.setState("live");
      // Anything may have changed while the stream was down.
      if (this.everConnected) this.emit({ type: "reconnected", data: {} });
      this.everConnected = true;
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // An HTTP error (such as 401) closes the stream for good; retry with backoff.
        this.source = null;
        this.setState("offline");
        this.retryTimer = window.setTimeout(() => {
          this.retryTimer = undefined;
          if (this.handlers.size > 0) this.open();
        }, this.retryDelay);
        this.retryDelay = Math.min(this.retryDelay * 2, 30000);
      } else {
        this.setState("connecting");
      }
    };
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (message) => {
        let data: unknown = {};
        try {
          data = JSON.parse((message as MessageEvent<string>).data);
        } catch {
          return;
        }
        this.emit({ type, data } as ServerEvent);
      });
    }
  }

  private close(): void {
    if (this.retryTimer !== undefined) window.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.source?.close();
    this.source = null;
  }
}

export const events = new EventStream();

auth.subscribe(() => {
  // A new token: reconnect so the stream is authorised as the new user.
  const token = auth.token();
  if (token !== lastToken) {
    lastToken = token;
    events.restart();
  }
});
let lastToken = auth.token();
