import { describe, expect, it } from "vitest";

import { parseSort, sortParam } from "./TableView";

describe("a table's initial sort", () => {
  it("reads column and -column, and writes them back", () => {
    expect(parseSort("-edit_no")).toEqual({ column: "edit_no", descending: true });
    expect(parseSort("at")).toEqual({ column: "at", descending: false });
    expect(sortParam(parseSort("-edit_no"))).toBe("-edit_no");
  });

  it("is none when the spec has none", () => {
    expect(parseSort(null)).toBeNull();
    expect(parseSort(undefined)).toBeNull();
    expect(parseSort("-")).toBeNull();
  });
});
