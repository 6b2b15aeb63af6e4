import { describe, expect, it, vi } from "vitest";

import type { Row, RowPage } from "../api/inputTables";
import { MAX_PAGES, RowCache } from "./rowCache";

function table(total: number, prefix = "r") {
  const rows: Row[] = Array.from({ length: total }, (_, i) => ({ _row_id: `${prefix}${i}`, _version: 1, n: i }));
  const calls: { offset: number; limit: number; sort: string | null }[] = [];
  const fetchPage = vi.fn(async (offset: number, limit: number, sort: string | null): Promise<RowPage> => {
    calls.push({ offset, limit, sort });
    return { rows: rows.slice(offset, offset + limit), total: rows.length, limit, offset };
  });
  return { rows, calls, fetchPage };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("the row cache", () => {
  it("fetches the pages the grid shows, and one ahead, once", async () => {
    const t = table(1000);
    const cache = new RowCache(t.fetchPage, () => undefined, "-n", 100);
    cache.ensure(0, 30);
    await settle();
    expect(t.calls).toEqual([
      { offset: 0, limit: 100, sort: "-n" },
      { offset: 100, limit: 100, sort: "-n" },
    ]);
    expect(cache.total).toBe(1000);
    expect(cache.row(150)?._row_id).toBe("r150");
    expect(cache.row(250)).toBeUndefined();
    cache.ensure(10, 40);
    await settle();
    expect(t.calls).toHaveLength(2);
    cache.ensure(950, 990);
    await settle();
    expect(t.calls.map((c) => c.offset)).toEqual([0, 100, 900]);
  });

  it("keeps a bounded number of pages", async () => {
    const t = table(100 * (MAX_PAGES + 20));
    const cache = new RowCache(t.fetchPage, () => undefined, null, 100);
    for (let page = 0; page < MAX_PAGES + 20; page += 2) {
      cache.ensure(page * 100, page * 100 + 50);
      await settle();
    }
    expect(cache.loadedRows).toBeLessThanOrEqual(MAX_PAGES * 100);
    // The pages near the visible rows are the ones kept.
    expect(cache.row((MAX_PAGES + 19) * 100)).toBeDefined();
    expect(cache.row(0)).toBeUndefined();
  });

  it("drops answers for an old sort", async () => {
    let release: (page: RowPage) => void = () => undefined;
    const slow = vi.fn(
      (offset: number, limit: number, sort: string | null) =>
        new Promise<RowPage>((resolve) => {
          if (sort === "old") release = resolve;
          else resolve({ rows: [{ _row_id: "new", _version: 1 }], total: 1, limit, offset });
        }),
    );
    const cache = new RowCache(slow, () => undefined, "old", 100);
    cache.ensure(0, 10);
    cache.reset("new");
    await settle();
    release({ rows: [{ _row_id: "stale", _version: 1 }], total: 1, limit: 100, offset: 0 });
    await settle();
    expect(cache.row(0)?._row_id).toBe("new");
  });

  it("replaces rows in place and refetches only the pages holding changed rows", async () => {
    const t = table(250);
    const changes = vi.fn();
    const cache = new RowCache(t.fetchPage, changes, null, 100);
    cache.ensure(0, 150);
    await settle();
    expect(cache.replaceRow({ _row_id: "r120", _version: 2, n: -1 })).toBe(true);
    expect(cache.row(120)).toMatchObject({ _version: 2 });
    expect(cache.versionOf("r120")).toBe(2);
    t.calls.length = 0;
    expect(cache.refreshRows(["r5"])).toBe(true);
    await settle();
    expect(t.calls.map((c) => c.offset)).toEqual([0]);
    expect(cache.refreshRows(["nowhere"])).toBe(false);
    expect(changes).toHaveBeenCalled();
  });

  it("refresh keeps showing rows while the visible pages load again", async () => {
    const t = table(50);
    const cache = new RowCache(t.fetchPage, () => undefined, null, 100);
    cache.ensure(0, 20);
    await settle();
    t.rows.push({ _row_id: "added", _version: 1 });
    cache.refresh();
    expect(cache.row(0)?._row_id).toBe("r0");
    await settle();
    expect(cache.total).toBe(51);
    expect(cache.row(50)?._row_id).toBe("added");
  });

  it("remembers a failed load for the error state", async () => {
    const cache = new RowCache(
      async () => {
        throw new Error("warehouse down");
      },
      () => undefined,
    );
    cache.ensure(0, 10);
    await settle();
    expect(String(cache.error)).toContain("warehouse down");
  });
});
