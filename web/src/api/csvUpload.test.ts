import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { auth } from "./auth";

import {
  IDLE,
  describeImport,
  formatBytes,
  importPercent,
  newImportId,
  uploadCsv,
  withServerEvent,
  type ImportState,
} from "./csvUpload";
import type { ImportProgressEvent } from "./events";

function event(phase: ImportProgressEvent["phase"], extra: Partial<ImportProgressEvent> = {}): ImportProgressEvent {
  return { table_id: "leads", import_id: "abc", phase, rows: 0, bytes: 0, total_bytes: 0, ...extra };
}

describe("import progress", () => {
  it("fills the upload span with the bytes sent", () => {
    const state: ImportState = { ...IDLE, phase: "upload", sent: 500, size: 1000 };
    expect(importPercent(state)).toBe(30);
    expect(importPercent({ ...state, sent: 1000 })).toBe(60);
    expect(describeImport(state)).toBe("Uploading… 500 B of 1000 B");
  });

  it("moves through the server's phases to done", () => {
    let state: ImportState = { ...IDLE, phase: "upload", sent: 1000, size: 1000 };
    state = withServerEvent(state, event("parse", { bytes: 500, total_bytes: 1000 }));
    expect(state.phase).toBe("parse");
    expect(importPercent(state)).toBe(68);
    state = withServerEvent(state, event("write", { rows: 40 }));
    expect(importPercent(state)).toBe(85);
    expect(describeImport(state)).toBe("Writing 40 rows…");
    state = withServerEvent(state, event("done", { rows: 60 }));
    expect(importPercent(state)).toBe(100);
    expect(describeImport(state)).toBe("Imported 60 rows");
  });

  it("does not go back on a late event of an earlier phase, nor change after done", () => {
    let state: ImportState = withServerEvent({ ...IDLE, phase: "upload" }, event("validate"));
    state = withServerEvent(state, event("parse", { bytes: 10, total_bytes: 10 }));
    expect(state.phase).toBe("validate");
    state = withServerEvent(state, event("done", { rows: 3 }));
    expect(withServerEvent(state, event("failed", { message: "late" }))).toBe(state);
  });

  it("reports a failure with the server's message", () => {
    const state = withServerEvent({ ...IDLE, phase: "parse" }, event("failed", { message: "line 7: has 2 fields" }));
    expect(state.phase).toBe("failed");
    expect(describeImport(state)).toBe("line 7: has 2 fields");
  });

  it("formats sizes and makes hex import ids", () => {
    expect(formatBytes(2048)).toBe("2.0 KB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MB");
    expect(newImportId()).toMatch(/^[0-9a-f]{12}$/);
  });
});

/** Just enough of XMLHttpRequest to answer one upload the way a server would. */
class FakeXhr {
  static last: FakeXhr | null = null;
  headers: Record<string, string> = {};
  sent: unknown = null;
  method = "";
  url = "";
  status = 0;
  statusText = "";
  responseText = "";
  upload: { onprogress: ((event: ProgressEvent) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;

  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  send(body: unknown): void {
    this.sent = body;
  }
  abort(): void {
    this.onabort?.();
  }
  answer(status: number, body: string, statusText = ""): void {
    this.status = status;
    this.statusText = statusText;
    this.responseText = body;
    this.onload?.();
  }
}

describe("uploadCsv", () => {
  const file = new File(["a,b\n1,2\n"], "rows.csv", { type: "text/csv" });
  const start = () => uploadCsv("leads", file, { mode: "append", importId: "abc", onSent: () => {} });

  beforeEach(() => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    auth.signIn("trl_secret");
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    auth.signOut();
  });

  it("posts the file with the API's headers and resolves with the report", async () => {
    const upload = start();
    const xhr = FakeXhr.last!;
    expect([xhr.method, xhr.url]).toEqual(["POST", "/api/sigma/input-tables/leads/csv?import_id=abc"]);
    expect(xhr.headers).toEqual({ Accept: "application/json", Authorization: "Bearer trl_secret" });
    expect((xhr.sent as FormData).get("mode")).toBe("append");
    xhr.answer(200, JSON.stringify({ rows: 1 }));
    await expect(upload.done).resolves.toEqual({ rows: 1 });
  });

  it("rejects with the server's error, and a plain-text one", async () => {
    const upload = start();
    const refused = { error: { type: "validation_failed", message: "line 3: ragged", details: [] } };
    FakeXhr.last!.answer(422, JSON.stringify(refused), "Unprocessable Entity");
    await expect(upload.done).rejects.toMatchObject({
      status: 422,
      type: "validation_failed",
      message: "line 3: ragged",
    });
    const proxy = start();
    FakeXhr.last!.answer(502, "Bad Gateway from the proxy", "Bad Gateway");
    await expect(proxy.done).rejects.toMatchObject({ status: 502, message: "Bad Gateway" });
  });

  it("asks for sign-in on a 401 and names a network failure", async () => {
    const upload = start();
    FakeXhr.last!.answer(401, JSON.stringify({ error: { type: "authentication_required", message: "expired" } }));
    await expect(upload.done).rejects.toMatchObject({ status: 401 });
    expect(auth.get().signInRequired).toBe(true);
    const offline = start();
    FakeXhr.last!.onerror?.();
    await expect(offline.done).rejects.toMatchObject({ status: 0, type: "network" });
  });
});
