import { describe, expect, it } from "vitest";

import { parseClipboardText } from "./clipboard";

describe("spreadsheet clipboard text", () => {
  it("splits tabs and lines, ignoring the trailing newline", () => {
    expect(parseClipboardText("a\tb\nc\td\n")).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(parseClipboardText("one")).toEqual([["one"]]);
    expect(parseClipboardText("a\t\tc\r\n")).toEqual([["a", "", "c"]]);
  });

  it("reads quoted cells with tabs, newlines and quotes inside", () => {
    expect(parseClipboardText('"line 1\nline 2"\t"say ""hi"""\nx\ty')).toEqual([
      ["line 1\nline 2", 'say "hi"'],
      ["x", "y"],
    ]);
  });
});
