"""Helpers for driving the input-table grid, which draws on a canvas.

Cells are reached by position (the grid's geometry is fixed: 36 px header, 34 px rows,
a 32 px row-marker column for tables under 100 rows, widths by column type) and read
back through the grid's accessible table, whose cells carry `glide-cell-{col}-{row}` ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.e2e.conftest import unique

HEADER = 36
ROW = 34
MARKER = 32
WIDTHS = {"text": 200, "number": 120, "integer": 110, "date": 130, "single_select": 150}

COLUMNS: list[dict[str, Any]] = [
    {"name": "title", "type": "text", "required": True},
    {"name": "amount", "type": "number", "validation": {"min": 0}},
    {"name": "status", "type": "single_select", "validation": {"options": ["open", "won", "lost"]}},
]


@dataclass
class GridApp:
    app_id: str
    table_id: str
    columns: list[dict[str, Any]]
    row_ids: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/apps/{self.app_id}"

    def column(self, name: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c["name"] == name)


def make_grid_app(
    api: httpx.Client,
    rows: list[dict[str, Any]] | None = None,
    *,
    data_entry: str = "published",
    columns: list[dict[str, Any]] | None = None,
) -> GridApp:
    """An app of its own with one input table on its page, seeded with `rows` in order."""
    table_id = unique("requests")
    app_id = unique("grid_app")
    columns = columns or COLUMNS
    spec = {
        "id": app_id,
        "title": "Requests desk",
        "input_tables": [
            {"id": table_id, "name": "Requests", "columns": columns, "data_entry": data_entry}
        ],
        "pages": [
            {
                "id": "main",
                "title": "Main",
                "elements": [
                    {
                        "id": "requests_grid",
                        "type": "input_table",
                        "input_table": table_id,
                        "position": {"x": 0, "y": 0, "w": 24, "h": 10},
                    }
                ],
            }
        ],
    }
    response = api.post("/api/apps", json=spec)
    assert response.status_code in (200, 201), response.text
    app = GridApp(app_id, table_id, columns)
    base = f"/api/sigma/input-tables/{table_id}"
    for row in rows or []:
        # One request per row keeps their creation order, which is the grid's order.
        created = api.post(f"{base}/rows", json={"rows": [row]})
        if created.status_code == 202:  # a draft table: published below
            continue
        assert created.status_code == 201, created.text
        app.row_ids.append(created.json()["rows"][0]["_row_id"])
    if data_entry == "draft" and rows:
        assert api.post(f"{base}/publish").status_code == 200
        app.row_ids = [r["_row_id"] for r in rows_of(api, table_id)]
    return app


def rows_of(api: httpx.Client, table_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/sigma/input-tables/{table_id}/rows", params={"sort": "_created_at"})
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


def grid(page: Any, table_id: str) -> Any:
    return page.locator(f"[data-testid='grid-{table_id}']")


def cell_point(page: Any, app: GridApp, col: int, row: int) -> tuple[float, float]:
    box = grid(page, app.table_id).locator("canvas").first.bounding_box()
    assert box is not None, "the grid is not on screen"
    widths = [WIDTHS.get(c["type"], 160) for c in app.columns]
    x = box["x"] + MARKER + sum(widths[:col]) + widths[col] / 2
    y = box["y"] + HEADER + row * ROW + ROW / 2
    return x, y


def click_cell(page: Any, app: GridApp, col: int, row: int) -> None:
    page.mouse.click(*cell_point(page, app, col, row))


def cell(page: Any, app: GridApp, col: int, row: int) -> Any:
    """The accessible cell of the grid (data columns start after the row markers)."""
    return grid(page, app.table_id).locator(f"[id='glide-cell-{col + 1}-{row}']")


EDITOR = "#portal textarea, #portal input"


def open_editor(page: Any, app: GridApp, col: int, row: int) -> Any:
    """Select the cell and open its editor (a click on the selected cell opens it already)."""
    click_cell(page, app, col, row)
    editor = page.locator(EDITOR).first
    page.wait_for_timeout(50)
    if not editor.is_visible():
        page.keyboard.press("Enter")
    editor.wait_for()
    return editor


def edit_cell(
    page: Any, app: GridApp, col: int, row: int, text: str, commit: str = "Enter"
) -> None:
    open_editor(page, app, col, row).fill(text)
    page.keyboard.press(commit)
