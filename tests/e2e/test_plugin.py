"""A Sigma plugin built on @sigmacomputing/plugin, hosted by a Trilith `plugin` element.

The plugin (another origin) reads the rows of the app's `deals` table, sets the `region`
control, and fires an action trigger whose Trilith sequence sets a control on the server's
say-so and invokes the plugin's registered action effect.
"""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.embed_fixtures import AUTH, EmbedEnv, embed_browser, embed_env, embed_page

__all__ = ["embed_browser", "embed_env", "embed_page"]


def test_a_plugin_reads_rows_sets_a_control_and_fires_an_action(
    embed_env: EmbedEnv, embed_page: Any
) -> None:
    page = embed_page
    page.goto(embed_env.signed_url())
    plugin = page.frame_locator("iframe.plugin-frame")
    # Rows and columns of the element named by its `source` config.
    plugin.locator("#rows").filter(has_text="8").wait_for()
    # The columns come from their own request, answered in any order with the rows.
    expect(plugin.locator("#columns")).to_have_text("Deal Id,Account,Region,Amount")
    assert "Acme Corp" in plugin.locator("#accounts").inner_text()

    # variable:set: the app's control changes, the table and the plugin's data follow.
    plugin.get_by_role("button", name="Pick East").click()
    region = page.locator("[data-element-id=region_control] select")
    page.wait_for_function(
        "() => document.querySelector('[data-element-id=region_control] select').value === 'East'"
    )
    assert region.input_value() == "East"
    page.locator("[data-testid=table-deals][data-total='2']").wait_for()
    plugin.locator("#rows").filter(has_text="2").wait_for()
    assert plugin.locator("#accounts").inner_text() == "Cirrus Health,Fjord Marine"
    # The variable reaches the plugin by its own subscription, not with the rows.
    expect(plugin.locator("#region")).to_have_text("East")

    # action-trigger:invoke runs the sequence on the server; its trigger_plugin effect
    # comes back to the plugin as action-effect:invoke.
    plugin.get_by_role("button", name="Approve").click()
    status = page.locator("[data-element-id=status_control] input")
    page.wait_for_function(
        "() => document.querySelector('[data-element-id=status_control] input').value === 'approved'"
    )
    plugin.locator("#effect").filter(has_text="ran").wait_for()
    assert status.input_value() == "approved"
    history = httpx.get(
        f"{embed_env.trilith.url}/api/actions/history", headers=AUTH, params={"limit": 50}
    ).json()
    runs = history.get("runs", history.get("history", []))
    assert any(r.get("sequence_id") == "approve_from_plugin" for r in runs), history
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plugin-host.png"), full_page=True)
    assert page.errors == []
