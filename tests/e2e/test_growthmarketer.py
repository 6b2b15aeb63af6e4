"""The GrowthMarketer demo in the browser: the app `trilith demo` serves, prepared by
`trilith.demo` on a DuckDB file of its own (sample tables, campaigns, leads from CSV).

Each test works on different campaign rows, so they do not depend on each other's order.
Screenshots of each main screen go to `test-artifacts/e2e/gm-*.png`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, screenshot
from tests.e2e.grid import GridApp, cell, cell_point, edit_cell, grid, open_editor
from tests.markers import needs_llm
from trilith.demo import prepare_growthmarketer
from trilith.engines import create_engine
from trilith.settings import Settings
from trilith.warehouse import Warehouse

pytestmark = pytest.mark.browser

APP = "/apps/growthmarketer"
CAMPAIGNS = GridApp(
    "growthmarketer",
    "campaigns",
    [
        {"name": "name", "type": "text"},
        {"name": "channel", "type": "text"},
        {"name": "region", "type": "text"},
        {"name": "budget", "type": "number"},
        {"name": "start", "type": "date"},
        {"name": "end", "type": "date"},
        {"name": "owner", "type": "text"},
        {"name": "status", "type": "text"},
    ],
)
LEADS = GridApp(
    "growthmarketer",
    "leads",
    [{"name": n, "type": "text"} for n in ("lead_id", "name", "company", "email", "region")],
)


@pytest.fixture(scope="module")
def gm_server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo as `trilith demo` prepares it, on a temporary DuckDB file."""
    folder = tmp_path_factory.mktemp("growthmarketer")
    settings = Settings(
        warehouse=f"duckdb:///{folder / 'demo.duckdb'}", auth="none", host="127.0.0.1"
    )
    engine = create_engine(settings.warehouse_url())
    warehouse = Warehouse(engine, settings.writeback_schema)
    warehouse.ensure_ready()
    prepare_growthmarketer(engine, warehouse.schema, folder)
    engine.close()
    with LiveServer(settings, seed=False) as live:
        yield live


@pytest.fixture
def gm_api(gm_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gm_server.url, timeout=10) as client:
        yield client


def campaign(api: httpx.Client, name: str) -> dict[str, Any]:
    response = api.get("/api/sigma/input-tables/campaigns/rows", params={"limit": 100})
    assert response.status_code == 200, response.text
    return next(r for r in response.json()["rows"] if r["name"] == name)


def grid_row(page: Any, app: GridApp, text: str, col: int = 0) -> int:
    """The grid row showing `text` in column `col` (read from the grid's accessible cells)."""
    located = grid(page, app.table_id).locator(f"[id^='glide-cell-{col + 1}-']", has_text=text)
    expect(located).to_have_count(1)  # the accessible table is there, though not shown
    ident = located.first.get_attribute("id") or ""
    return int(ident.rsplit("-", 1)[1])


def open_tab(
    page: Any, server: LiveServer, tab: str, table: GridApp, *, reload: bool = True
) -> None:
    """Open a tab of the overview and scroll its grid into view (cells are clicked by
    position, so the grid must be on screen)."""
    if reload:
        page.goto(server.url + APP)
    page.get_by_role("tab", name=tab).click()
    expect(grid(page, table.table_id).locator("canvas").first).to_be_visible()
    expect(cell(page, table, 0, 0)).not_to_have_text("")
    page.locator(f"[data-element-id={table.table_id}_grid]").scroll_into_view_if_needed()


def element_rows(api: httpx.Client, element: str, **body: Any) -> dict[str, Any]:
    response = api.post(
        f"/api/apps/growthmarketer/elements/{element}/query",
        json={"controls": {}, "limit": 200, **body},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_the_overview_filters_tables_charts_and_kpis_by_its_controls(
    gm_server: LiveServer, page: Any
) -> None:
    page.goto(gm_server.url + APP)
    spend = page.get_by_test_id("kpi-kpi_spend")
    table = page.get_by_test_id("table-spend_table")
    line = page.locator("[data-element-id=spend_over_time] .chart")
    expect(table).to_have_attribute("data-total", "520")
    expect(line).to_have_attribute("data-rows", "130")  # 26 weeks x 5 channels
    expect(page.locator("[data-element-id=spend_by_channel] canvas")).to_be_visible()
    all_regions = spend.inner_text()
    screenshot(page, "gm-01-overview")

    page.get_by_label("Region").select_option("Europe")
    expect(table).to_have_attribute("data-total", "130")
    expect(spend).not_to_have_text(all_regions)
    europe = spend.inner_text()

    # The date range narrows the table and the chart to the weeks from April on.
    page.get_by_label("Date range: from").fill("2026-04-06")
    expect(line).to_have_attribute("data-rows", str(13 * 5))
    expect(table).to_have_attribute("data-total", str(13 * 5))
    expect(spend).not_to_have_text(europe)
    # The table has no row markers: its first column is glide-cell-0-*.
    expect(table.locator("[id='glide-cell-0-0']")).to_have_text(re.compile("^2026-0[4-6]"))
    screenshot(page, "gm-02-filtered")
    assert page.errors == []


def test_a_campaign_edit_is_still_there_after_reload(
    gm_server: LiveServer, gm_api: httpx.Client, page: Any
) -> None:
    open_tab(page, gm_server, "Campaigns", CAMPAIGNS)
    screenshot(page, "gm-03-campaigns")
    row = grid_row(page, CAMPAIGNS, "Win-back")
    budget = CAMPAIGNS.column("budget")
    edit_cell(page, CAMPAIGNS, budget, row, "41500")
    expect(page.locator("[data-element-id=campaigns_grid] .save-state")).to_have_text(
        "All changes saved"
    )
    page.reload()
    open_tab(page, gm_server, "Campaigns", CAMPAIGNS, reload=False)
    row = grid_row(page, CAMPAIGNS, "Win-back")
    expect(cell(page, CAMPAIGNS, budget, row)).to_have_text("41500")
    assert campaign(gm_api, "Win-back")["budget"] == 41500
    assert page.errors == []


def test_two_people_editing_one_campaign_cell_get_the_conflict_dialog(
    gm_server: LiveServer, gm_api: httpx.Client, new_page: Any
) -> None:
    first, second = new_page(), new_page()
    open_tab(first, gm_server, "Campaigns", CAMPAIGNS)
    open_tab(second, gm_server, "Campaigns", CAMPAIGNS)
    owner = CAMPAIGNS.column("owner")
    row_first = grid_row(first, CAMPAIGNS, "Webinar series")
    row_second = grid_row(second, CAMPAIGNS, "Webinar series")

    open_editor(second, CAMPAIGNS, owner, row_second).fill("Priya Shah")
    edit_cell(first, CAMPAIGNS, owner, row_first, "Jonas Berg")
    expect(first.locator("[data-element-id=campaigns_grid] .save-state")).to_have_text(
        "All changes saved"
    )
    expect(cell(second, CAMPAIGNS, owner, row_second)).to_have_text("Jonas Berg")
    second.keyboard.press("Enter")
    dialog = second.get_by_role("alertdialog", name="This row changed while you were editing")
    expect(dialog).to_be_visible()
    expect(dialog.locator("td.theirs")).to_have_text("Jonas Berg")
    expect(dialog.locator("td.mine")).to_have_text("Priya Shah")
    screenshot(second, "gm-04-conflict", full_page=False)
    dialog.get_by_role("button", name="Keep mine").click()
    expect(dialog).to_be_hidden()
    expect(cell(first, CAMPAIGNS, owner, row_first)).to_have_text("Priya Shah")
    assert campaign(gm_api, "Webinar series")["owner"] == "Priya Shah"


def test_budget_approval_through_the_modal_updates_the_row_and_the_activity_log(
    gm_server: LiveServer, gm_api: httpx.Client, page: Any
) -> None:
    before = campaign(gm_api, "LinkedIn ABM")
    assert before["status"] != "Approved"
    open_tab(page, gm_server, "Campaigns", CAMPAIGNS)
    row = grid_row(page, CAMPAIGNS, "LinkedIn ABM")
    page.mouse.click(*cell_point(page, CAMPAIGNS, 0, row), button="right")
    menu = page.get_by_role("menu", name="Campaigns row actions")
    expect(menu).to_be_visible()
    screenshot(page, "gm-05-context-menu", full_page=False)
    menu.get_by_role("menuitem", name="Request budget approval").click()

    dialog = page.get_by_role("dialog", name="Budget approval: LinkedIn ABM")
    expect(dialog).to_contain_text(f"{before['owner']} asks for a budget of")
    screenshot(page, "gm-06-approval-modal", full_page=False)
    dialog.get_by_role("button", name="Approve").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Budget approved")).to_be_visible()
    expect(cell(page, CAMPAIGNS, CAMPAIGNS.column("status"), row)).to_have_text("Approved")
    expect(page.locator(".notice-error")).to_have_count(0)

    after = campaign(gm_api, "LinkedIn ABM")
    assert after["status"] == "Approved"
    assert after["_version"] == before["_version"] + 1
    history = gm_api.get(
        "/api/sigma/input-tables/campaigns/history", params={"row_id": after["_row_id"]}
    )
    assert history.status_code == 200, history.text
    latest = history.json()["entries"][0]
    assert latest["source"] == "action"
    assert latest["after"]["status"] == "Approved"
    audit = element_rows(gm_api, "audit_trail", sort="-at")["rows"]
    assert any(
        r["action"] == "sequence-completed" and r["target_id"] == "approve_budget" for r in audit
    ), audit[:5]
    edits = element_rows(gm_api, "edit_log", sort="-edit_no")["rows"]
    assert any(
        r["table_id"] == "campaigns" and r["source"] == "action" and "Approved" in r["after_values"]
        for r in edits
    ), edits[:5]

    page.get_by_role("link", name="Activity").click()
    notifications = grid(page, "notifications")
    expect(notifications.get_by_text("LinkedIn ABM", exact=True)).to_have_count(1)
    expect(page.get_by_test_id("table-edit_log")).not_to_have_attribute("data-total", "0")
    screenshot(page, "gm-07-activity")
    assert page.errors == []


def test_a_csv_upload_shows_progress_and_then_the_rows(
    gm_server: LiveServer, gm_api: httpx.Client, page: Any, tmp_path: Path
) -> None:
    path = tmp_path / "more_leads.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lead_id", "name", "company", "email", "region", "source", "notes"])
        for n in range(3000):
            writer.writerow(
                [
                    f"X-{n:05d}",
                    f"Prospect {n}",
                    "Upload Test Ltd",
                    f"p{n}@upload.example",
                    "Europe",
                    "Trade show",
                    "Met at the booth, wants pricing for the team plan. " * 3,
                ]
            )
    total_before = gm_api.get("/api/sigma/input-tables/leads/rows", params={"limit": 1}).json()[
        "total"
    ]
    open_tab(page, gm_server, "Leads", LEADS)
    count = page.locator("[data-element-id=leads_grid] .it-count")
    expect(count).to_have_text(f"{total_before} rows")
    page.get_by_role("button", name="Import CSV").click()
    dialog = page.get_by_role("dialog", name="Import CSV into Leads")
    expect(dialog).to_be_visible()
    # Every value the bar takes, as the page sees it.
    page.evaluate(
        """() => {
            window.__progress = [];
            new MutationObserver(() => {
                const bar = document.querySelector('[role=progressbar]');
                if (bar) window.__progress.push(Number(bar.getAttribute('aria-valuenow')));
            }).observe(document.body, {subtree: true, childList: true, attributes: true,
                                       attributeFilter: ['aria-valuenow']});
        }"""
    )
    dialog.get_by_label("CSV file").set_input_files(str(path))
    expect(dialog).to_contain_text("more_leads.csv")
    screenshot(page, "gm-08-csv-chosen", full_page=False)
    dialog.get_by_role("button", name="Import", exact=True).click()
    expect(dialog.get_by_role("status")).to_have_text("Imported 3,000 rows", timeout=30000)
    bar = dialog.get_by_role("progressbar", name="Import progress")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    screenshot(page, "gm-09-csv-done", full_page=False)
    seen = page.evaluate("window.__progress")
    assert any(0 < v < 100 for v in seen), seen
    assert seen == sorted(seen), seen  # the bar never goes back
    dialog.get_by_role("button", name="Done").click()
    expect(count).to_have_text(f"{total_before + 3000:,} rows")
    # Sorted by lead id, descending: the imported rows come first.
    header = grid(page, "leads").locator("canvas").first.bounding_box()
    page.mouse.click(header["x"] + 32 + 100, header["y"] + 18)
    page.mouse.click(header["x"] + 32 + 100, header["y"] + 18)
    expect(cell(page, LEADS, 0, 0)).to_have_text("X-02999")
    expect(cell(page, LEADS, 2, 0)).to_have_text("Upload Test Ltd")
    assert page.errors == []


def test_keyboard_only_through_the_tabs_a_row_menu_and_the_modal(
    gm_server: LiveServer, gm_api: httpx.Client, page: Any
) -> None:
    page.goto(gm_server.url + APP)
    expect(page.get_by_test_id("table-spend_table")).to_be_visible()
    for _ in range(25):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('role')") == "tab":
            break
    performance = page.get_by_role("tab", name="Performance")
    expect(performance).to_be_focused()
    page.keyboard.press("ArrowRight")
    campaigns = page.get_by_role("tab", name="Campaigns")
    expect(campaigns).to_be_focused()
    expect(campaigns).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tab", name="Leads")).to_have_attribute("tabindex", "-1")

    # Into the panel, past the button, into the grid: arrows pick a cell (its row).
    # The grid loads its rows after the tab opens; tab into it once they are there.
    first_cell = cell(page, CAMPAIGNS, 0, 0)
    expect(first_cell).not_to_have_text("")
    in_grid = "!!document.activeElement.closest(\"[data-testid='grid-campaigns']\")"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate(in_grid):
            break
    assert page.evaluate(in_grid), "Tab did not reach the campaigns grid"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(first_cell).to_have_attribute("aria-selected", "true")
    row_name = first_cell.inner_text()
    status = campaign(gm_api, row_name)["status"]
    page.keyboard.press("Shift+F10")
    menu = page.get_by_role("menu", name="Campaigns row actions")
    expect(menu.get_by_role("menuitem", name="Request budget approval")).to_be_focused()
    page.keyboard.press("Enter")

    dialog = page.get_by_role("dialog", name=f"Budget approval: {row_name}")
    expect(dialog).to_be_visible()
    # Focus stays in the dialog however often Tab is pressed.
    for _ in range(5):
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('[role=dialog]')")
    screenshot(page, "gm-10-keyboard-modal", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # Picking rows quickly ran the row's `select` sequence one run after another.
    expect(page.locator(".notice-error")).to_have_count(0)
    # Closing the modal decides nothing.
    assert campaign(gm_api, row_name)["status"] == status
    assert page.evaluate("!!document.activeElement.closest(\"[data-testid='grid-campaigns']\")")
    assert page.errors == []


@needs_llm
def test_a_lead_is_triaged_with_ai_from_its_row_menu(
    gm_server: LiveServer, gm_api: httpx.Client, page: Any
) -> None:
    open_tab(page, gm_server, "Leads", LEADS)
    row = grid_row(page, LEADS, "L-0001")
    page.mouse.click(*cell_point(page, LEADS, 0, row), button="right")
    page.get_by_role("menu", name="Leads row actions").get_by_role(
        "menuitem", name="Triage with AI"
    ).click()
    # The first classification loads the local model (a few seconds).
    alert = page.get_by_text("Lead triaged")
    expect(alert).to_be_visible(timeout=60000)
    screenshot(page, "gm-11-triaged", full_page=False)
    response = gm_api.get("/api/sigma/input-tables/leads/rows", params={"limit": 500})
    lead = next(r for r in response.json()["rows"] if r["lead_id"] == "L-0001")
    assert lead["category"] in ("Hot", "Warm", "Cold", "Spam")
    assert -1 <= lead["sentiment"] <= 1
    assert page.errors == []
