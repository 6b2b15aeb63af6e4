"""Trilith embedded in another site through Sigma's embed SDK, in a real browser.

The host page (localhost) frames a signed embed URL of Trilith (another origin), listens
with the SDK's own listeners and sets a control with the SDK's `workbookVariablesUpdate`.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.embed_fixtures import EmbedEnv, embed_browser, embed_env, embed_page

__all__ = ["embed_browser", "embed_env", "embed_page"]


def received(page: Any, type_: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = page.evaluate(
        "(t) => window.received.filter((e) => e.type === t)", type_
    )
    return events


def wait_for_event(page: Any, type_: str, predicate: str = "true") -> None:
    page.wait_for_function(
        f"() => window.received.some((e) => e.type === {type_!r} && ({predicate}))"
    )


def test_the_sdk_host_page_talks_to_an_embedded_app(embed_env: EmbedEnv, embed_page: Any) -> None:
    page = embed_page
    page.goto(embed_env.host_page(embed_env.signed_url()))
    wait_for_event(page, "workbook:loaded")
    wait_for_event(page, "workbook:dataloaded")
    wait_for_event(page, "app:ready", "e.payload.capabilities.includes('actions')")
    loaded = received(page, "workbook:loaded")[0]
    assert loaded["workbook"]["variables"] == {"region": "", "status": ""}

    frame = page.frame_locator("#trilith")
    table = frame.locator("[data-testid=table-deals]")
    table.and_(frame.locator("[data-total='8']")).wait_for()

    # The host sets a control through the SDK: the embedded table is filtered.
    page.click("#west")
    table.and_(frame.locator("[data-total='2']")).wait_for()
    wait_for_event(page, "workbook:variables:onchange", "e.workbook.variables.region === 'West'")

    # A viewer's change inside the app reaches the host, with the seed's control:update.
    frame.locator("[data-element-id=region_control] select").select_option("South")
    wait_for_event(page, "workbook:variables:onchange", "e.workbook.variables.region === 'South'")
    wait_for_event(page, "control:update", "e.payload.controlId === 'region'")
    table.and_(frame.locator("[data-total='2']")).wait_for()

    # An iframe_event action reaches the SDK's actionOutboundListener.
    frame.get_by_role("button", name="Approve").click()
    wait_for_event(page, "action:outbound", "e.name === 'approved'")
    outbound = received(page, "action:outbound")[-1]
    assert outbound["values"] == {"region": "South"}

    inner = next(f for f in page.frames if "/embed/" in f.url)
    stats = inner.evaluate("() => ({ ...window.__trilithEmbed.stats })")
    assert stats["untrusted"] == 0
    assert stats["timeouts"] == 0  # the host acknowledged every control:update
    assert stats["received"] >= 2  # the SDK update and the acknowledgement
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "embed-host-page.png"), full_page=True)
    assert page.errors == []


def test_untrusted_messages_are_ignored_and_counted(embed_env: EmbedEnv, embed_page: Any) -> None:
    page = embed_page
    page.goto(embed_env.host_page(embed_env.signed_url()))
    wait_for_event(page, "workbook:dataloaded")
    inner = next(f for f in page.frames if "/embed/" in f.url)
    # A message from the parent window but sent to "*" from another origin cannot be made
    # here; a message whose origin is not trusted is: the embedded page posting to itself.
    inner.evaluate(
        """() => window.dispatchEvent(new MessageEvent('message', {
            data: {type: 'workbook:variables:update', variables: {region: 'East'}},
            origin: 'https://evil.example.net', source: window.parent}))"""
    )
    stats = inner.evaluate("() => ({ ...window.__trilithEmbed.stats })")
    assert stats["untrusted"] == 1
    frame = page.frame_locator("#trilith")
    assert frame.locator("[data-element-id=region_control] select").input_value() == ""


def test_only_trusted_origins_may_frame_and_tokens_are_single_use(
    embed_env: EmbedEnv, embed_page: Any
) -> None:
    url = embed_env.signed_url()
    first = httpx.get(url.replace(embed_env.base_url, embed_env.trilith.url))
    assert first.status_code == 200
    assert (
        f"frame-ancestors 'self' {embed_env.host.origin}"
        in first.headers["content-security-policy"]
    )
    page = embed_page
    page.goto(url.replace(embed_env.base_url, embed_env.trilith.url))
    assert page.locator("h1").inner_text() == "The link was used before"
    # The same host page on an origin that is not trusted (127.0.0.1, not localhost):
    # the browser refuses to frame the app, so nothing loads and no event arrives.
    untrusted = embed_env.host_page(embed_env.signed_url()).replace("localhost", "127.0.0.1")
    page.goto(untrusted)
    page.wait_for_timeout(2500)
    assert page.evaluate("() => window.received.length") == 0
    assert not any(
        "/embed/" in f.url and f.evaluate("() => !!window.__trilithEmbed")
        for f in page.frames
        if f != page.main_frame
    )
    expired = embed_env.signed_url(ttl=__import__("datetime").timedelta(seconds=-120))
    page.goto(expired)
    assert page.locator("h1").inner_text() == "The link has expired"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "embed-expired.png"))
