"""Editing input tables in the grid: writes, reloads, conflicts, live rows, validation,
pasted blocks, drafts and history."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, screenshot
from tests.e2e.grid import cell, click_cell, edit_cell, grid, make_grid_app, open_editor, rows_of

pytestmark = pytest.mark.browser

SEED = [
    {"title": "Laptops", "amount": 1200, "status": "open"},
    {"title": "Monitors", "amount": 300, "status": "won"},
]


def open_grid(page: Any, server: LiveServer, path: str, table_id: str) -> None:
    page.goto(server.url + path)
    expect(grid(page, table_id).locator("canvas").first).to_be_visible()


def test_an_edit_is_saved_and_still_there_after_reload(
    server: LiveServer, api: httpx.Client, page: Any
) -> None:
    app = make_grid_app(api, SEED)
    open_grid(page, server, app.path, app.table_id)
    expect(cell(page, app, 0, 1)).to_have_text("Monitors")
    screenshot(page, "10-grid")

    edit_cell(page, app, app.column("title"), 1, "Monitors, 27 inch")
    expect(page.locator(".save-state")).to_have_text("All changes saved")
    page.reload()
    expect(cell(page, app, 0, 1)).to_have_text("Monitors, 27 inch")
    assert rows_of(api, app.table_id)[1]["title"] == "Monitors, 27 inch"
    assert page.errors == []


def test_the_showcase_notes_grid_saves_edits(
    server: LiveServer, api: httpx.Client, page: Any
) -> None:
    created = api.post(
        "/api/sigma/input-tables/deal_notes/rows",
        json={"rows": [{"deal_id": "D-1007", "note": "first call"}]},
    )
    assert created.status_code == 201, created.text
    row_id = created.json()["rows"][0]["_row_id"]
    page.goto(server.url + "/apps/showcase")
    page.get_by_role("tab", name="Notes").click()
    notes = grid(page, "deal_notes")
    expect(notes.get_by_text("first call")).to_have_count(1)
    index = next(i for i, r in enumerate(rows_of(api, "deal_notes")) if r["_row_id"] == row_id)
    box = notes.locator("canvas").first.bounding_box()
    # deal_id (200 px) then note (200 px): the note of that row.
    page.mouse.click(box["x"] + 32 + 200 + 100, box["y"] + 36 + index * 34 + 17)
    expect(notes.locator(f"[id='glide-cell-2-{index}']")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page.locator("#portal textarea")).to_be_visible()
    page.locator("#portal textarea").fill("second call, agreed terms")
    page.keyboard.press("Enter")
    expect(page.locator("[data-element-id=notes_grid] .save-state")).to_have_text(
        "All changes saved"
    )
    screenshot(page, "11-showcase-notes")
    page.reload()
    page.get_by_role("tab", name="Notes").click()
    expect(grid(page, "deal_notes").get_by_text("second call, agreed terms")).to_have_count(1)


def test_two_people_editing_one_cell_the_second_gets_the_conflict_dialog(
    server: LiveServer, api: httpx.Client, new_page: Any
) -> None:
    app = make_grid_app(api, SEED)
    first, second = new_page(), new_page()
    open_grid(first, server, app.path, app.table_id)
    open_grid(second, server, app.path, app.table_id)
    title = app.column("title")

    # The second person opens the editor on the cell and starts typing...
    open_editor(second, app, title, 0).fill("Laptops (second)")
    # ...while the first saves the same cell.
    edit_cell(first, app, title, 0, "Laptops (first)")
    expect(first.locator(".save-state")).to_have_text("All changes saved")
    # The second person's grid hears about it...
    expect(cell(second, app, title, 0)).to_have_text("Laptops (first)")
    # ...and committing what they typed on the old version is a conflict.
    second.keyboard.press("Enter")
    dialog = second.get_by_role("alertdialog", name="This row changed while you were editing")
    expect(dialog).to_be_visible()
    expect(dialog.locator("td.theirs")).to_have_text("Laptops (first)")
    expect(dialog.locator("td.mine")).to_have_text("Laptops (second)")
    screenshot(second, "12-conflict", full_page=False)

    dialog.get_by_role("button", name="Keep mine").click()
    expect(dialog).to_be_hidden()
    expect(second.locator(".save-state")).to_have_text("All changes saved")
    assert rows_of(api, app.table_id)[0]["title"] == "Laptops (second)"
    # The first person sees the outcome live.
    expect(cell(first, app, title, 0)).to_have_text("Laptops (second)")

    # "Take theirs" keeps the server's row and drops the local value.
    open_editor(first, app, title, 1).fill("Monitors (first)")
    edit_cell(second, app, title, 1, "Monitors (second)")
    expect(cell(first, app, title, 1)).to_have_text("Monitors (second)")
    first.keyboard.press("Enter")
    dialog = first.get_by_role("alertdialog")
    dialog.get_by_role("button", name="Take theirs").click()
    expect(cell(first, app, title, 1)).to_have_text("Monitors (second)")
    assert rows_of(api, app.table_id)[1]["title"] == "Monitors (second)"


def test_a_row_another_person_adds_appears_without_reload(
    server: LiveServer, api: httpx.Client, new_page: Any
) -> None:
    app = make_grid_app(api, SEED)
    watcher, writer = new_page(), new_page()
    open_grid(watcher, server, app.path, app.table_id)
    open_grid(writer, server, app.path, app.table_id)
    expect(watcher.locator(".it-count")).to_have_text("2 rows")

    writer.get_by_role("button", name="+ Add row").click()
    editor = writer.locator("#portal textarea")
    writer.keyboard.press("Enter")
    editor.fill("Docking stations")
    writer.keyboard.press("Enter")
    expect(writer.locator(".it-count")).to_have_text("3 rows")

    expect(watcher.locator(".it-count")).to_have_text("3 rows", timeout=3000)
    expect(cell(watcher, app, 0, 2)).to_have_text("Docking stations")
    screenshot(watcher, "13-live-insert")


def test_a_refused_value_is_marked_with_the_reason(
    server: LiveServer, api: httpx.Client, page: Any
) -> None:
    app = make_grid_app(api, SEED)
    open_grid(page, server, app.path, app.table_id)
    amount = app.column("amount")
    edit_cell(page, app, amount, 0, "-5")
    problems = page.locator(".it-problems")
    expect(problems).to_contain_text("1 cell needs attention")
    expect(problems).to_contain_text("must be at least 0")
    expect(page.locator(".save-state")).to_have_text("Some changes were not saved")
    # The refused value stays in the cell, marked, until fixed or discarded.
    expect(cell(page, app, amount, 0)).to_have_text("-5")
    click_cell(page, app, amount, 0)
    expect(page.locator(".it-cell-problem")).to_contain_text("must be at least 0")
    screenshot(page, "14-validation")
    assert rows_of(api, app.table_id)[0]["amount"] == 1200

    edit_cell(page, app, amount, 0, "950")
    expect(problems).to_be_hidden()
    expect(page.locator(".save-state")).to_have_text("All changes saved")
    assert rows_of(api, app.table_id)[0]["amount"] == 950


def test_a_pasted_block_of_rows_is_one_atomic_insert(
    server: LiveServer, api: httpx.Client, page: Any
) -> None:
    app = make_grid_app(api, SEED)
    open_grid(page, server, app.path, app.table_id)
    posts: list[str] = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/rows") else None,
    )

    def paste(text: str) -> None:
        page.evaluate(
            """text => {
                const data = new DataTransfer();
                data.setData('text/plain', text);
                document.activeElement.dispatchEvent(
                    new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
            }""",
            text,
        )

    # A click on the "Add row" row makes a new row and opens the editor on its first cell;
    # a block pasted there fills rows from that cell.
    click_cell(page, app, 0, 2)
    page.locator("#portal textarea").wait_for()
    paste("Keyboards\t40\topen\nMice\t-1\twon\n")
    # One bad row: nothing is written and the problem is shown on its cell.
    expect(page.locator(".it-problems")).to_contain_text("must be at least 0")
    expect(page.locator(".it-unsaved")).to_contain_text("2 new rows not saved yet")
    expect(cell(page, app, 0, 3)).to_have_text("Mice")
    screenshot(page, "17-paste-refused")
    assert len(rows_of(api, app.table_id)) == 2
    # Fixed, the whole block goes in together.
    edit_cell(page, app, app.column("amount"), 3, "15")
    expect(page.locator(".it-count")).to_have_text("4 rows")
    titles = [r["title"] for r in rows_of(api, app.table_id)]
    # Rows of one batch share their creation time, so their order among themselves is open.
    assert titles[:2] == ["Laptops", "Monitors"]
    assert sorted(titles[2:]) == ["Keyboards", "Mice"]
    assert len(posts) == 2


def test_draft_edits_are_staged_until_published(
    server: LiveServer, api: httpx.Client, page: Any
) -> None:
    app = make_grid_app(api, SEED, data_entry="draft")
    open_grid(page, server, app.path, app.table_id)
    badge = page.locator(".badge-draft")
    expect(badge).to_have_text("Draft · 0 pending")
    edit_cell(page, app, app.column("title"), 0, "Laptops (draft)")
    expect(badge).to_have_text("Draft · 1 pending")
    expect(cell(page, app, 0, 0)).to_have_text("Laptops (draft)")
    assert rows_of(api, app.table_id)[0]["title"] == "Laptops"
    screenshot(page, "15-draft")

    page.get_by_role("button", name=re.compile("^Publish")).click()
    expect(badge).to_have_text("Draft · 0 pending")
    assert rows_of(api, app.table_id)[0]["title"] == "Laptops (draft)"


def test_row_history_lists_edits_and_reverts(
    server: LiveServer, api: httpx.Client, page: Any
) -> None:
    app = make_grid_app(api, SEED)
    row_id = app.row_ids[0]
    changed = api.patch(
        f"/api/sigma/input-tables/{app.table_id}/rows/{row_id}",
        json={"values": {"title": "Laptops, refurbished"}, "expected_version": 1},
    )
    assert changed.status_code == 200, changed.text
    open_grid(page, server, app.path, app.table_id)
    # Row 0 by its second cell: a first click on the grid's top-left cell can land after the
    # grid selected that cell on focus, and then opens its editor.
    click_cell(page, app, 1, 0)
    page.get_by_role("button", name="History").click()
    panel = page.get_by_role("complementary", name="Row history")
    entries = panel.locator(".history-entry")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text("Laptops, refurbished")
    screenshot(page, "16-history")

    entries.nth(1).get_by_role("button", name="Revert to this").click()
    expect(entries).to_have_count(3)
    expect(cell(page, app, 0, 0)).to_have_text("Laptops")
    assert rows_of(api, app.table_id)[0]["title"] == "Laptops"


def test_selected_rows_are_deleted_after_confirming(
    server: LiveServer, api: httpx.Client, page: Any
) -> None:
    app = make_grid_app(api, [*SEED, {"title": "Cables", "amount": 20}])
    open_grid(page, server, app.path, app.table_id)
    box = grid(page, app.table_id).locator("canvas").first.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 36 + 34 + 17)  # the row marker of row 2
    page.get_by_role("button", name="Delete 1 row").click()
    dialog = page.get_by_role("alertdialog", name="Delete 1 row?")
    expect(dialog).to_contain_text("history keeps them")
    dialog.get_by_role("button", name="Delete").click()
    expect(page.locator(".it-count")).to_have_text("2 rows")
    assert [r["title"] for r in rows_of(api, app.table_id)] == ["Laptops", "Cables"]
