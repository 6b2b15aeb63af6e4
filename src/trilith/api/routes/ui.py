"""`GET /`: the built UI when it is installed, otherwise a page that says where things are."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from trilith import __version__

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"

_PLACEHOLDER = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Trilith</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>Trilith {__version__}</h1>
<p>The server is running. This build has no web UI; the API is here:</p>
<ul>
<li><a href="/docs">API reference</a> (<a href="/openapi.json">OpenAPI</a>)</li>
<li><a href="/health">Health</a> and <a href="/metrics">metrics</a></li>
<li><code>GET /api/apps</code> lists the apps (send <code>Authorization: Bearer &lt;token&gt;</code>
unless authentication is off)</li>
</ul>
</body></html>
"""


@router.get("/")
def index() -> Response:
    built = STATIC / "index.html"
    if built.is_file():
        return FileResponse(built)
    return HTMLResponse(_PLACEHOLDER)
