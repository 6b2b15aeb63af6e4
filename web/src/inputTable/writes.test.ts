import { describe, expect, it } from "vitest";

import type { PendingEdit, Row } from "../api/inputTables";
import { baseVersion } from "./useTableEditor";
import {
  cleanValues,
  expectedVersion,
  missingRequired,
  pastedRows,
  placeOf,
  problemsForRow,
  type LocalRow,
} from "./writes";

const pending = (op: PendingEdit["op"], rowId: string | null): PendingEdit => ({
  pending_id: Math.random().toString(16),
  seq: 1,
  op,
  row_id: rowId,
  values: {},
  expected_version: 1,
  actor: "me",
  at: "2026-01-01T00:00:00",
});

describe("where a grid row comes from", () => {
  const local: LocalRow[] = [{ key: "new-1", values: {}, problems: {} }];
  const inserts = [pending("insert", null)];
  it("is the table, then staged inserts, then new rows", () => {
    expect(placeOf(0, 2, inserts, local)).toEqual({ kind: "server", index: 0 });
    expect(placeOf(2, 2, inserts, local).kind).toBe("pending");
    expect(placeOf(3, 2, inserts, local)).toMatchObject({ kind: "local", at: 0 });
    expect(placeOf(4, 2, inserts, local).kind).toBe("outside");
  });
});

describe("versions", () => {
  const row = { _row_id: "r1", _version: 3 } as Row;
  it("counts staged updates of the row for draft tables", () => {
    expect(expectedVersion(row, [])).toBe(3);
    expect(expectedVersion(row, [pending("update", "r1"), pending("update", "r2"), pending("update", "r1")])).toBe(5);
  });

  it("names the version the editor opened on when someone else changed the row since", () => {
    expect(baseVersion(3, undefined, undefined)).toBe(3);
    expect(baseVersion(3, 3, undefined)).toBe(3);
    // Someone else wrote version 3 while the editor was open on version 2: a conflict.
    expect(baseVersion(3, 2, new Set())).toBe(2);
    // Only our own writes moved it on: no conflict with ourselves.
    expect(baseVersion(4, 2, new Set([3, 4]))).toBe(4);
    expect(baseVersion(4, 2, new Set([3]))).toBe(2);
  });
});

describe("a 422 in the grid", () => {
  const details = [
    { row: 0, column: "amount", rule: "min", message: "must be at least 0" },
    { row: 1, column: "title", rule: "required", message: "a value is required" },
    { row: 1, column: "title", rule: "max_length", message: "too long" },
    { row: 2, column: null, rule: "key", message: "key is missing" },
  ];
  it("gives each row its problems by column", () => {
    expect(problemsForRow(details, 0, ["amount", "title"])).toEqual({ amount: "must be at least 0" });
    expect(problemsForRow(details, 1, ["title"])).toEqual({ title: "a value is required; too long" });
    expect(problemsForRow(details, 2, ["a", "b"])).toEqual({ a: "key is missing", b: "key is missing" });
    expect(problemsForRow(details, 3, ["a"])).toEqual({});
  });
});

describe("new rows", () => {
  it("send only the values that are filled in", () => {
    expect(cleanValues({ a: "", b: null, c: [], d: 0, e: false, f: "x" })).toEqual({ d: 0, e: false, f: "x" });
    expect(missingRequired({ title: "" }, ["title"])).toEqual(["title"]);
  });

  it("map pasted lines onto columns from the start column, skipping read-only ones", () => {
    const columns = [
      { id: "title", readonly: false },
      { id: "region", readonly: true },
      { id: "amount", readonly: false },
    ];
    expect(pastedRows([["Desk", "North", "12"], ["Chair"]], 0, columns, (t) => t || null)).toEqual([
      { title: "Desk", amount: "12" },
      { title: "Chair" },
    ]);
    expect(pastedRows([["5", "extra"]], 2, columns, (t) => t)).toEqual([{ amount: "5" }]);
  });
});
