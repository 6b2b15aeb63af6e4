"""Hostile values in titles, labels, markdown and cells render as text and never run."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, screenshot, unique

IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=2</script>"
SVG = '<svg onload="window.__xss=3"></svg>'


def _hostile_app(api: httpx.Client) -> tuple[str, str]:
    app_id, table_id = unique("xss_app"), unique("xss_notes")
    spec: dict[str, Any] = {
        "id": app_id,
        "title": f"Deals {IMG}",
        "description": f"About {SCRIPT}",
        "controls": [{"id": "who", "type": "text", "label": f"Who {SVG}"}],
        "input_tables": [
            {"id": table_id, "name": f"Notes {IMG}", "columns": [{"name": "note", "type": "text"}]}
        ],
        "pages": [
            {
                "id": "main",
                "title": f"Main {SVG}",
                "elements": [
                    {
                        "id": "md",
                        "type": "text",
                        "content": (
                            f"# Heading {IMG}\n\n{SCRIPT} {SVG}\n\n"
                            "[a link](javascript:window.__xss=4) and "
                            '<a href="javascript:window.__xss=5">raw</a>'
                        ),
                    },
                    {"id": "who_control", "type": "control", "control": "who"},
                    {"id": "notes_grid", "type": "input_table", "input_table": table_id},
                    {
                        "id": "notes_table",
                        "type": "table",
                        "source": table_id,
                        "columns": ["note"],
                        "title": SCRIPT,
                    },
                    {"id": "go", "type": "button", "label": f"Go {IMG}"},
                ],
            }
        ],
    }
    made = api.post("/api/apps", json=spec)
    assert made.status_code in (200, 201), made.text
    rows = {"rows": [{"note": IMG}, {"note": SCRIPT}, {"note": '"><svg onload=alert(1)>'}]}
    assert api.post(f"/api/sigma/input-tables/{table_id}/rows", json=rows).status_code == 201
    return app_id, table_id


def test_hostile_values_are_shown_as_text_and_never_run(
    server: LiveServer, api: httpx.Client, page: Any
) -> None:
    app_id, _ = _hostile_app(api)
    page.goto(f"{server.url}/apps/{app_id}")
    expect(page.get_by_role("heading", name=f"Deals {IMG}")).to_be_visible()
    expect(page.get_by_text(f"About {SCRIPT}")).to_be_visible()
    expect(page.get_by_label(f"Who {SVG}")).to_be_visible()
    expect(page.get_by_role("button", name=f"Go {IMG}")).to_be_visible()
    table = page.get_by_test_id("table-notes_table")
    expect(table).to_have_attribute("data-total", "3")
    expect(page.get_by_role("heading", name=SCRIPT)).to_be_visible()
    # The table's cells are the stored text, character for character.
    expect(table.locator("[role=gridcell]").filter(has_text=IMG)).to_have_count(1)
    markdown = page.locator("[data-element-id=md]")
    expect(markdown.get_by_role("heading", name="Heading")).to_be_visible()
    page.wait_for_timeout(500)  # any injected handler would have fired by now
    screenshot(page, "30-hostile-values")

    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x'], svg[onload]").count() == 0
    scripts = page.evaluate("[...document.scripts].map(s => s.textContent).join('\\n')")
    assert "__xss" not in scripts
    hrefs = page.evaluate("[...document.querySelectorAll('a')].map(a => a.href)")
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    assert page.errors == []
