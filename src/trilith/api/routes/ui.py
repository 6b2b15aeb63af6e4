"""The web UI: the built single-page app from `web/` (in `trilith/web/static`).

`GET /` (the app list) and `GET /apps/{id}` (an app) answer `index.html`, never cached so
a new build is picked up at once; the client-side router decides what to show. Other
paths stay the API's: an unknown one is a 404. `/assets/*` are the build's content-hashed
files, cached for a year and gzipped when the browser accepts it. Without a build, `/`
explains where the API is.
"""

from __future__ import annotations

import gzip
import mimetypes
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from trilith import __version__

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Text assets worth compressing; images and fonts are compressed already.
COMPRESSIBLE = frozenset({".js", ".css", ".html", ".svg", ".json", ".map", ".txt"})
MIN_GZIP_BYTES = 1024

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


def _index() -> Response:
    built = STATIC / "index.html"
    if built.is_file():
        return FileResponse(built, media_type="text/html", headers={"Cache-Control": REVALIDATE})
    return HTMLResponse(_PLACEHOLDER, headers={"Cache-Control": REVALIDATE})


def _inside(root: Path, relative: str) -> Path | None:
    """The file `relative` names under `root`, or None (missing, or outside `root`)."""
    base = root.resolve()
    candidate = (base / relative).resolve()
    if not candidate.is_relative_to(base) or not candidate.is_file():
        return None
    return candidate


@lru_cache(maxsize=64)
def _gzipped(path: Path, mtime_ns: int) -> bytes:
    # Keyed by modification time: a rebuild under the same name is compressed again.
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=mtime_ns // 1_000_000_000)


@router.api_route("/", methods=["GET", "HEAD"])
def index() -> Response:
    return _index()


@router.api_route("/assets/{name:path}", methods=["GET", "HEAD"])
def asset(name: str, request: Request) -> Response:
    path = _inside(STATIC / "assets", name)
    if path is None:
        raise HTTPException(status_code=404, detail="Not Found")
    stat = path.stat()
    accepts_gzip = "gzip" in request.headers.get("accept-encoding", "").lower()
    if accepts_gzip and path.suffix in COMPRESSIBLE and stat.st_size >= MIN_GZIP_BYTES:
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return Response(
            _gzipped(path, stat.st_mtime_ns),
            media_type=media_type,
            headers={
                "Cache-Control": IMMUTABLE,
                "Content-Encoding": "gzip",
                "Vary": "Accept-Encoding",
            },
        )
    return FileResponse(path, headers={"Cache-Control": IMMUTABLE, "Vary": "Accept-Encoding"})


@router.api_route("/apps/{app_id}", methods=["GET", "HEAD"])
def app_page(app_id: str) -> Response:
    """An app; its page is the `?page=` query, read by the UI."""
    return _index()
