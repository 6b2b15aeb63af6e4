import { describe, expect, it } from "vitest";

import {
  IDLE,
  describeImport,
  formatBytes,
  importPercent,
  newImportId,
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
