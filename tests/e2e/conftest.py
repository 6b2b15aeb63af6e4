"""Browser tests: the built UI served by a real server, driven in Debian's chromium.

One server per session serves the showcase app on a temporary DuckDB file with
authentication off; tests that edit rows make input tables and apps of their own, so
they do not depend on each other. Screenshots go to `test-artifacts/e2e/`.

Without chromium (or without the built UI) the tests skip with the reason, and fail
instead when TRILITH_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from trilith.api import create_app
from trilith.api.routes.ui import STATIC
from trilith.apply import apply_app, run_sql_file
from trilith.engines import create_engine
from trilith.settings import Settings
from trilith.spec import load_app
from trilith.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[2]
SHOWCASE = ROOT / "examples" / "showcase"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
REQUIRE_SERVICES = os.environ.get("TRILITH_REQUIRE_SERVICES") == "1"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ADMIN_TOKEN = "e2e-admin-token"


def _unavailable(message: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}; TRILITH_REQUIRE_SERVICES=1 requires it", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> str:
    path = os.environ.get("TRILITH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        _unavailable("chromium is not installed (run `make browser-deps`)")
    if not (STATIC / "index.html").is_file():
        _unavailable(f"the UI is not built in {STATIC} (run `make web`)")
    return path


class LiveServer:
    """The app served by uvicorn on a free loopback port, in a thread of this process."""

    def __init__(self, settings: Settings, seed: bool) -> None:
        import uvicorn

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        engine = create_engine(settings.warehouse_url())
        if seed:
            warehouse = Warehouse(engine, settings.writeback_schema)
            warehouse.ensure_ready()
            run_sql_file(engine, SHOWCASE / "seed.sql")
            apply_app(engine, warehouse.schema, load_app(SHOWCASE / "app.yaml"), "e2e")
        config = uvicorn.Config(
            create_app(settings, engine=engine),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the e2e server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        # Open event streams would keep a graceful shutdown waiting.
        self.server.force_exit = True
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="session")
def server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("e2e") / "showcase.duckdb"
    settings = Settings(warehouse=f"duckdb:///{database}", auth="none", host="127.0.0.1")
    with LiveServer(settings, seed=True) as live:
        yield live


@pytest.fixture(scope="session")
def secured_server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A second server with token authentication on, for the sign-in flow."""
    database = tmp_path_factory.mktemp("e2e-auth") / "auth.duckdb"
    settings = Settings(
        warehouse=f"duckdb:///{database}", auth="token", admin_token=ADMIN_TOKEN, host="127.0.0.1"
    )
    with LiveServer(settings, seed=True) as live:
        yield live


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """One Playwright driver for the session: its sync API cannot run twice at once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Any, chromium: str) -> Iterator[Any]:
    launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


class PageErrors(list[str]):
    """Uncaught errors on a page; a test ends by asserting there were none."""


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Make pages in fresh browser contexts (separate users); each records uncaught errors."""
    contexts: list[Any] = []

    def make(width: int = 1400, height: int = 960) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height}, reduced_motion="reduce"
        )
        context.set_default_timeout(8000)
        contexts.append(context)
        page = context.new_page()
        errors = PageErrors()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Any) -> Any:
    return new_page()


@pytest.fixture
def api(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture(scope="session", autouse=True)
def _artifacts() -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot for people to look at (dialogs: the viewport, as seen)."""
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"
