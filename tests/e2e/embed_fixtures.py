"""Fixtures of the embedding and plugin browser tests.

Two origins, so cross-origin messaging is real: Trilith answers as
`http://trilith.sigmacomputing.io:<port>` (chromium maps that name to 127.0.0.1, because
the embed SDK's listeners accept events only from Sigma's domains), and a static server
on `http://localhost:<port>` serves the host page, Sigma's embed SDK straight from
web/node_modules, and a plugin page bundled (rolldown) from the @sigmacomputing/plugin
client in web/node_modules.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ADMIN_TOKEN, CHROMIUM_ARGS, LiveServer, _unavailable
from trilith.embed.signing import embed_url
from trilith.embed.tokens import sign_embed_jwt
from trilith.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent / "embed_pages"
NODE_MODULES = ROOT / "web" / "node_modules"
SDK = NODE_MODULES / "@sigmacomputing" / "embed-sdk" / "dist" / "index.mjs"
PLUGIN_PACKAGE = NODE_MODULES / "@sigmacomputing" / "plugin"
TRILITH_HOST = "trilith.sigmacomputing.io"
JWT_SECRET = "e2e-embed-master-secret-of-32-bytes-or-more"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


class Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass


class HostSite:
    """The embedding site: a static server on localhost serving `root`."""

    def __init__(self, root: Path) -> None:
        handler = functools.partial(Quiet, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = int(self.httpd.server_address[1])
        self.origin = f"http://localhost:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> HostSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _bundle_plugin(out: Path) -> None:
    rolldown = NODE_MODULES / ".bin" / "rolldown"
    if not (rolldown.is_file() and PLUGIN_PACKAGE.is_dir() and SDK.is_file()):
        _unavailable("the Sigma npm packages are not installed in web/node_modules (make web)")
    # Inside web/node_modules, so the entry resolves the packages as the UI does.
    work = NODE_MODULES / ".trilith-e2e"
    work.mkdir(exist_ok=True)
    entry = work / "plugin_entry.js"
    shutil.copy(PAGES / "plugin_entry.js", entry)
    done = subprocess.run(
        [
            str(rolldown),
            str(entry),
            "--file",
            str(out),
            "--format",
            "iife",
            "--platform",
            "browser",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT / "web",
    )
    if done.returncode != 0:
        raise RuntimeError(f"bundling the plugin failed: {done.stderr or done.stdout}")


class EmbedEnv:
    def __init__(self, trilith: LiveServer, host: HostSite, client: dict[str, Any]) -> None:
        self.trilith = trilith
        self.host = host
        self.client = client
        self.base_url = f"http://{TRILITH_HOST}:{trilith.port}"

    def signed_url(self, app_id: str = "embedded_deals", **claims: Any) -> str:
        values: dict[str, Any] = {"ttl": dt.timedelta(hours=1), "jti": uuid.uuid4().hex}
        values.update(claims)
        token = sign_embed_jwt(
            self.client["client_id"], self.client["secret"], "viewer@example.com", **values
        )
        return embed_url(self.base_url, app_id, token)

    def host_page(self, url: str) -> str:
        return f"{self.host.origin}/host.html?" + httpx.QueryParams({"embed": url}).__str__()


@pytest.fixture(scope="module")
def embed_env(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbedEnv]:
    site = tmp_path_factory.mktemp("host-site")
    for name in ("host.html", "host.js", "plugin.html"):
        shutil.copy(PAGES / name, site / name)
    (site / "sdk").mkdir()
    _bundle_plugin(site / "plugin.js")
    if SDK.is_file():
        shutil.copy(SDK, site / "sdk" / "index.mjs")
    with HostSite(site) as host:
        database = tmp_path_factory.mktemp("e2e-embed") / "embed.duckdb"
        settings = Settings(
            warehouse=f"duckdb:///{database}",
            auth="token",
            admin_token=ADMIN_TOKEN,
            jwt_secret=JWT_SECRET,
            trusted_origins=host.origin,
            host="127.0.0.1",
        )
        with LiveServer(settings, seed=True) as live:
            spec = (
                (PAGES / "app.yaml").read_text().replace("PLUGIN_URL", f"{host.origin}/plugin.html")
            )
            stored = httpx.post(
                f"{live.url}/api/apps",
                content=spec,
                headers={**AUTH, "Content-Type": "application/yaml"},
            )
            assert stored.status_code in (200, 201), stored.text
            client = httpx.post(
                f"{live.url}/api/embed/clients", json={"name": "host site"}, headers=AUTH
            )
            assert client.status_code == 201, client.text
            yield EmbedEnv(live, host, client.json())


@pytest.fixture(scope="module")
def embed_browser(playwright: Any, chromium: str) -> Iterator[Any]:
    args = [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {TRILITH_HOST} 127.0.0.1"]
    launched = playwright.chromium.launch(executable_path=chromium, args=args)
    yield launched
    launched.close()


@pytest.fixture
def embed_page(embed_browser: Any) -> Iterator[Any]:
    context = embed_browser.new_context(viewport={"width": 1300, "height": 1000})
    context.set_default_timeout(10000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    context.close()
