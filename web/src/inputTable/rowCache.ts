// Rows of one input table, fetched page by page as the grid scrolls (server-side paging
// and sorting), so a table of millions of rows costs only what is on screen.

import type { Row, RowPage } from "../api/inputTables";

export type FetchPage = (offset: number, limit: number, sort: string | null, signal: AbortSignal) => Promise<RowPage>;

export const PAGE_SIZE = 100;
/** Pages kept in memory; the farthest from the visible rows are dropped first. */
export const MAX_PAGES = 50;

export class RowCache {
  total: number | null = null;
  error: unknown = null;
  private pages = new Map<number, Row[]>();
  private inFlight = new Map<number, AbortController>();
  private stale = new Set<number>();
  private visible: [number, number] = [0, 0];
  private generation = 0;

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly onChange: () => void,
    public sort: string | null = null,
    readonly pageSize = PAGE_SIZE,
  ) {}

  row(index: number): Row | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  get loadedRows(): number {
    let n = 0;
    for (const page of this.pages.values()) n += page.length;
    return n;
  }

  /** The grid shows rows [first, last]: fetch the pages they are on, and one ahead. */
  ensure(first: number, last: number): void {
    this.visible = [first, last];
    const from = Math.floor(Math.max(0, first) / this.pageSize);
    let to = Math.floor(Math.max(first, last) / this.pageSize) + 1;
    if (this.total !== null) to = Math.min(to, Math.max(0, Math.ceil(this.total / this.pageSize) - 1));
    for (let page = from; page <= to; page++) {
      if ((!this.pages.has(page) || this.stale.has(page)) && !this.inFlight.has(page)) void this.load(page);
    }
    this.evict();
  }

  /** A new sort (or a full refresh): forget every page and load what is visible. */
  reset(sort: string | null = this.sort): void {
    this.sort = sort;
    this.generation++;
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
    this.stale.clear();
    this.pages.clear();
    this.onChange();
    this.ensure(...this.visible);
  }

  /**
   * Rows were inserted or deleted (positions moved) or changed: keep showing what is
   * loaded, refetch what is visible now and the rest when it is scrolled to.
   */
  refresh(): void {
    for (const page of this.pages.keys()) this.stale.add(page);
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
    this.ensure(...this.visible);
  }

  /** Refetch only the loaded pages holding these rows (an update elsewhere). */
  refreshRows(rowIds: string[]): boolean {
    const wanted = new Set(rowIds);
    let found = false;
    for (const [page, rows] of this.pages) {
      if (rows.some((r) => wanted.has(r._row_id))) {
        found = true;
        this.stale.add(page);
        this.inFlight.get(page)?.abort();
        this.inFlight.delete(page);
        void this.load(page);
      }
    }
    return found;
  }

  /** Put a row the server returned in place (after our own write). */
  replaceRow(row: Row): boolean {
    for (const rows of this.pages.values()) {
      const at = rows.findIndex((r) => r._row_id === row._row_id);
      if (at >= 0) {
        rows[at] = row;
        this.onChange();
        return true;
      }
    }
    return false;
  }

  indexOf(rowId: string): number | undefined {
    for (const [page, rows] of this.pages) {
      const at = rows.findIndex((r) => r._row_id === rowId);
      if (at >= 0) return page * this.pageSize + at;
    }
    return undefined;
  }

  versionOf(rowId: string): number | undefined {
    const index = this.indexOf(rowId);
    return index === undefined ? undefined : this.row(index)?._version;
  }

  dispose(): void {
    this.generation++;
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
  }

  private async load(page: number): Promise<void> {
    const controller = new AbortController();
    const generation = this.generation;
    this.inFlight.set(page, controller);
    try {
      const result = await this.fetchPage(page * this.pageSize, this.pageSize, this.sort, controller.signal);
      if (generation !== this.generation || controller.signal.aborted) return;
      this.pages.set(page, result.rows);
      this.stale.delete(page);
      this.total = result.total;
      this.error = null;
      // Pages past the end (rows were deleted) are gone.
      const last = Math.max(0, Math.ceil(result.total / this.pageSize) - 1);
      for (const p of [...this.pages.keys()]) if (p > last) this.pages.delete(p);
      this.evict();
      this.onChange();
    } catch (error) {
      if (controller.signal.aborted || generation !== this.generation) return;
      this.error = error;
      this.onChange();
    } finally {
      if (this.inFlight.get(page) === controller) this.inFlight.delete(page);
    }
  }

  private evict(): void {
    if (this.pages.size <= MAX_PAGES) return;
    const middle = Math.floor((this.visible[0] + this.visible[1]) / 2 / this.pageSize);
    const byDistance = [...this.pages.keys()].sort((a, b) => Math.abs(b - middle) - Math.abs(a - middle));
    for (const page of byDistance.slice(0, this.pages.size - MAX_PAGES)) {
      this.pages.delete(page);
      this.stale.delete(page);
    }
  }
}
