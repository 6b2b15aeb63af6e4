"""The showcase in a browser: app list, pages, layout, tabs, modals, popovers, sign-in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ADMIN_TOKEN, LiveServer, screenshot

pytestmark = pytest.mark.browser


def test_app_list_opens_the_showcase_with_its_pages(server: LiveServer, page: Any) -> None:
    page.goto(server.url + "/")
    card = page.get_by_role("link", name=re.compile("Deal desk showcase"))
    expect(card).to_be_visible()
    screenshot(page, "01-app-list")

    card.click()
    expect(page).to_have_url(re.compile(r"/apps/showcase$"))
    expect(page.get_by_role("heading", name="Deal desk showcase")).to_be_visible()
    nav = page.get_by_role("navigation", name="Pages")
    expect(nav.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    # Layout: the header container, markdown with the control value filled in, controls.
    expect(page.locator("[data-element-id=title_text] h1")).to_have_text("Deal desk")
    expect(page.locator("[data-element-id=title_text]")).to_contain_text("Pipeline for North")
    expect(page.get_by_label("Region")).to_have_value("North")
    expect(page.get_by_role("radio", name="Month")).to_be_checked()
    expect(page.get_by_role("switch", name="Include closed deals")).to_have_attribute(
        "aria-checked", "false"
    )
    # Data elements show the warehouse's rows.
    expect(page.get_by_test_id("kpi-kpi_pipeline")).to_have_text("322,650")
    expect(page.locator("[data-element-type=chart] canvas")).to_have_count(5)
    # A control drives the markdown that refers to it.
    page.get_by_label("Region").select_option("East")
    expect(page.locator("[data-element-id=title_text]")).to_contain_text("Pipeline for East")
    screenshot(page, "02-showcase-overview")

    nav.get_by_role("link", name="About").click()
    expect(page).to_have_url(re.compile(r"\?page=about$"))
    expect(page.get_by_role("heading", name="About this app")).to_be_visible()
    screenshot(page, "03-showcase-about")
    page.go_back()
    expect(page.locator("[data-element-id=kpi_pipeline]")).to_be_visible()
    assert page.errors == []


def test_tabs_switch_by_keyboard_with_a_roving_tabindex(server: LiveServer, page: Any) -> None:
    page.goto(server.url + "/apps/showcase")
    tabs = page.locator("[data-element-id=main_tabs]")
    tablist = tabs.get_by_role("tablist")
    charts = tablist.get_by_role("tab", name="Charts")
    expect(charts).to_have_attribute("aria-selected", "true")
    expect(tablist.locator("[tabindex='0']")).to_have_count(1)

    charts.focus()
    page.keyboard.press("ArrowRight")
    data = tablist.get_by_role("tab", name="Data")
    expect(data).to_be_focused()
    expect(data).to_have_attribute("aria-selected", "true")
    expect(data).to_have_attribute("tabindex", "0")
    expect(charts).to_have_attribute("tabindex", "-1")
    panel = tabs.get_by_role("tabpanel", name="Data")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("table-deals_table")).to_have_attribute("data-total", "8")
    screenshot(page, "04-tabs-data")

    page.keyboard.press("End")
    expect(tablist.get_by_role("tab", name="Map")).to_be_focused()
    # A plugin on another origin keeps its own origin (its storage); one on ours would not.
    expect(tabs.locator("[data-element-id=deal_map] iframe")).to_have_attribute(
        "sandbox", "allow-scripts allow-popups allow-forms allow-same-origin"
    )
    page.keyboard.press("ArrowRight")  # wraps around
    expect(charts).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Home")
    expect(charts).to_have_attribute("aria-selected", "true")
    # Tab leaves the tab list for the panel, not the next tab.
    page.keyboard.press("Tab")
    expect(tabs.get_by_role("tabpanel", name="Charts")).to_be_focused()
    assert page.errors == []


def test_modal_opens_from_its_action_traps_focus_and_closes_on_escape(
    server: LiveServer, page: Any
) -> None:
    page.goto(server.url + "/apps/showcase")
    opener = page.get_by_role("button", name="Add note")
    opener.click()
    dialog = page.get_by_role("dialog", name=re.compile("Add a note"))
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-modal", "true")
    expect(dialog.get_by_label("Deal *")).to_be_focused()
    screenshot(page, "05-modal", full_page=False)

    # Focus stays inside while tabbing round.
    for _ in range(10):
        page.keyboard.press("Tab")
        assert page.evaluate(
            "document.querySelector('[role=dialog]').contains(document.activeElement)"
        )
    # The page under the modal is inert.
    assert page.evaluate("document.getElementById('root').hasAttribute('inert')")
    # prevent_close_on_overlay: a click on the overlay keeps it open.
    page.mouse.click(5, 400)
    expect(dialog).to_be_visible()

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    assert not page.evaluate("document.getElementById('root').hasAttribute('inert')")

    # The Cancel button's close_modal step closes it too.
    opener.click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert page.errors == []


def test_popover_is_anchored_to_its_button(server: LiveServer, page: Any) -> None:
    page.goto(server.url + "/apps/showcase")
    help_button = page.get_by_role("button", name="Help")
    help_button.click()
    popover = page.get_by_role("dialog", name="Help")
    expect(popover).to_contain_text("Pick a region")
    expect(help_button).to_have_attribute("aria-expanded", "true")
    button_box = help_button.bounding_box()
    popover_box = popover.bounding_box()
    assert popover_box["y"] >= button_box["y"] + button_box["height"]
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    expect(help_button).to_be_focused()


def test_narrow_screens_stack_elements_in_reading_order(server: LiveServer, new_page: Any) -> None:
    page = new_page(390, 844)
    page.goto(server.url + "/apps/showcase")
    region = page.locator("[data-element-id=region_control]")
    period = page.locator("[data-element-id=period_control]")
    expect(region).to_be_visible()
    a, b = region.bounding_box(), period.bounding_box()
    assert abs(a["x"] - b["x"]) < 1, (a, b)
    assert b["y"] > a["y"], (a, b)
    assert a["width"] > 300
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "06-mobile")


def test_sign_in_with_an_api_token(secured_server: LiveServer, page: Any) -> None:
    page.goto(secured_server.url + "/")
    dialog = page.get_by_role("dialog", name="Sign in")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("API token")).to_be_focused()
    screenshot(page, "07-sign-in", full_page=False)
    dialog.get_by_label("API token").fill("wrong-token")
    dialog.get_by_role("button", name="Sign in").click()
    expect(dialog.get_by_role("alert")).to_contain_text("not valid")
    dialog.get_by_label("API token").fill(ADMIN_TOKEN)
    dialog.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=re.compile("Deal desk showcase"))).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('trilith.token')") == ADMIN_TOKEN
    screenshot(page, "08-signed-in")
