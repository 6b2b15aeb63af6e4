"""Data elements and server actions in a browser: KPIs, charts, tables and pivots read
element queries; controls filter them; forms and row clicks run sequences on the server."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, screenshot, unique
from tests.e2e.grid import grid, rows_of

pytestmark = pytest.mark.browser

HEADER = 36
ROW = 34


def test_showcase_kpis_charts_table_and_pivot_show_warehouse_rows(
    server: LiveServer, page: Any
) -> None:
    page.goto(server.url + "/apps/showcase")
    # Sum of analytics.deals Amount in examples/showcase/seed.sql.
    expect(page.get_by_test_id("kpi-kpi_pipeline")).to_have_text("322,650")
    expect(page.locator("[data-element-id=kpi_pipeline]")).to_contain_text("Sum of Amount")
    expect(page.get_by_test_id("kpi-kpi_won")).to_have_text("4")
    charts = page.locator("[data-element-type=chart] .chart")
    expect(charts).to_have_count(5)
    expect(page.locator("[data-element-id=amount_by_region] .chart")).to_have_attribute(
        "data-rows", "4"
    )
    expect(page.locator("[data-element-type=chart] canvas")).to_have_count(5)
    page.wait_for_timeout(300)  # the charts draw on the next frame
    screenshot(page, "20-showcase-charts")

    page.get_by_role("tab", name="Data").click()
    table = page.get_by_test_id("table-deals_table")
    expect(table).to_have_attribute("data-total", "8")
    expect(table).to_contain_text("8 rows")
    pivot = page.locator("[data-element-id=stage_pivot] table")
    expect(pivot.locator("tbody tr")).to_have_count(4)
    expect(pivot.locator("tbody tr", has_text="East")).to_contain_text("106,750")
    screenshot(page, "21-showcase-data")
    assert page.errors == []


def test_a_sort_header_click_reorders_the_table(server: LiveServer, page: Any) -> None:
    page.goto(server.url + "/apps/showcase")
    page.get_by_role("tab", name="Data").click()
    table = page.get_by_test_id("table-deals_table")
    expect(table).to_have_attribute("data-total", "8")
    first = table.locator("[id^=glide-cell-0-0]")  # the accessible table mirrors the canvas
    expect(first).to_have_text("D-1001")
    box = table.locator("canvas").first.bounding_box()
    # Amount is the fifth column (180 px text columns before it): ascending, then descending.
    amount_x = box["x"] + 4 * 180 + 60
    page.mouse.click(amount_x, box["y"] + HEADER / 2)
    expect(first).to_have_text("D-1002")  # 12,500
    page.mouse.click(amount_x, box["y"] + HEADER / 2)
    expect(first).to_have_text("D-1003")  # 91,000
    assert page.errors == []


def _filtered_app(api: httpx.Client) -> str:
    app_id = unique("filtered")
    spec = {
        "id": app_id,
        "title": "Deals by region",
        "controls": [
            {
                "id": "region",
                "type": "list",
                "label": "Region",
                "options": ["North", "South", "East", "West"],
                "targets": [
                    {"element": "deals", "column": "Region"},
                    {"element": "by_region", "column": "Region"},
                    {"element": "total", "column": "Region"},
                ],
            }
        ],
        "pages": [
            {
                "id": "main",
                "title": "Main",
                "elements": [
                    {
                        "id": "region_control",
                        "type": "control",
                        "control": "region",
                        "position": {"x": 0, "y": 0, "w": 6, "h": 1},
                    },
                    {
                        "id": "total",
                        "type": "chart",
                        "chart_type": "kpi",
                        "source": "analytics.deals",
                        "value": "Sum([Amount])",
                        "position": {"x": 6, "y": 0, "w": 6, "h": 2},
                    },
                    {
                        "id": "by_region",
                        "type": "chart",
                        "chart_type": "bar",
                        "source": "analytics.deals",
                        "x": "Region",
                        "y": ["Sum([Amount])"],
                        "position": {"x": 0, "y": 2, "w": 12, "h": 6},
                    },
                    {
                        "id": "deals",
                        "type": "table",
                        "source": "analytics.deals",
                        "columns": ["Deal Id", "Region", "Amount"],
                        "position": {"x": 12, "y": 2, "w": 12, "h": 6},
                    },
                ],
            }
        ],
    }
    response = api.post("/api/apps", json=spec)
    assert response.status_code in (200, 201), response.text
    return app_id


def test_the_region_control_filters_the_table_chart_and_kpi(
    server: LiveServer, api: httpx.Client, page: Any
) -> None:
    app_id = _filtered_app(api)
    page.goto(f"{server.url}/apps/{app_id}")
    table = page.get_by_test_id("table-deals")
    bars = page.locator("[data-element-id=by_region] .chart")
    expect(table).to_have_attribute("data-total", "8")
    expect(bars).to_have_attribute("data-rows", "4")
    expect(page.get_by_test_id("kpi-total")).to_have_text("322,650")

    page.get_by_label("Region").select_option("East")
    expect(table).to_have_attribute("data-total", "2")
    expect(bars).to_have_attribute("data-rows", "1")
    expect(page.get_by_test_id("kpi-total")).to_have_text("106,750")
    expect(table.locator("[id^=glide-cell-1-]").first).to_have_text("East")
    page.wait_for_timeout(300)
    screenshot(page, "22-filtered-east")

    page.get_by_label("Region").select_option("")
    expect(table).to_have_attribute("data-total", "8")
    assert page.errors == []


def test_a_row_click_and_the_note_form_run_on_the_server(
    server: LiveServer, api: httpx.Client, page: Any
) -> None:
    page.goto(server.url + "/apps/showcase")
    page.get_by_role("tab", name="Data").click()
    table = page.get_by_test_id("table-deals_table")
    expect(table).to_have_attribute("data-total", "8")
    box = table.locator("canvas").first.bounding_box()
    # A row click runs pick_deal (select) on the server: selected_deal = that row's Deal Id.
    page.mouse.click(box["x"] + 60, box["y"] + HEADER + 2 * ROW + ROW / 2)  # D-1003

    page.get_by_role("button", name="Add note").click()
    dialog = page.get_by_role("dialog", name="Add a note to D-1003")
    expect(dialog).to_be_visible()
    note = unique("Call back")
    dialog.get_by_label("Deal *").fill("D-1003")
    dialog.get_by_label("Note *").fill(note)
    dialog.get_by_role("button", name="Save note").click()
    # save_note: insert_row, clear selected_deal, close_modal — all on the server.
    expect(dialog).to_be_hidden()
    saved = [r for r in rows_of(api, "deal_notes") if r["note"] == note]
    assert len(saved) == 1
    assert saved[0]["deal_id"] == "D-1003"

    page.get_by_role("tab", name="Notes").click()
    expect(grid(page, "deal_notes").get_by_text(note)).to_have_count(1)
    screenshot(page, "23-note-saved")
    assert page.errors == []


def test_a_table_rows_context_menu_runs_its_sequence_with_that_row(
    server: LiveServer, page: Any
) -> None:
    page.goto(server.url + "/apps/showcase")
    page.get_by_role("tab", name="Data").click()
    table = page.get_by_test_id("table-deals_table")
    expect(table).to_have_attribute("data-total", "8")
    box = table.locator("canvas").first.bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + HEADER + 1 * ROW + ROW / 2, button="right")
    menu = page.get_by_role("menu", name="deals_table row actions")
    expect(menu).to_be_visible()
    screenshot(page, "25-table-context-menu", full_page=False)
    menu.get_by_role("menuitem", name="Add a note to this deal").click()
    dialog = page.get_by_role("dialog", name="Add a note to D-1002")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # From the keyboard: a selected cell, then Shift+F10 opens the same menu.
    page.mouse.click(box["x"] + 60, box["y"] + HEADER + 3 * ROW + ROW / 2)
    expect(page.get_by_role("dialog", name="Add a note to D-1004")).to_have_count(0)
    page.keyboard.press("Shift+F10")
    expect(menu.get_by_role("menuitem", name="Add a note to this deal")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Add a note to D-1004")).to_be_visible()
    assert page.errors == []


def test_a_failing_action_shows_its_error(server: LiveServer, page: Any) -> None:
    page.goto(server.url + "/apps/showcase")
    page.get_by_role("button", name="Add note").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Deal *").fill("D-1001")
    dialog.get_by_label("Note *").fill("no deal picked")
    # No deal was clicked, so insert_row has no deal_id, which the table requires.
    dialog.get_by_role("button", name="Save note").click()
    notice = page.get_by_role("status").filter(has_text=re.compile("failed|could not run"))
    expect(notice).to_be_visible()
    expect(dialog).to_be_visible()
    screenshot(page, "24-action-error", full_page=False)
