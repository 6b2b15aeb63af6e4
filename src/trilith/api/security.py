"""Response security headers, request-body limits and CORS, as plain ASGI middleware.

Every response says how the browser must treat it (a strict Content-Security-Policy for
the UI, no MIME sniffing, no referrer leaks, no framing except by trusted origins).

A JSON body larger than its route's limit is refused with 413 before it is read (or as
soon as a chunked body passes the limit); one nested deeper than `MAX_JSON_DEPTH` is
refused with 422 before any parser recurses into it. Multipart uploads have their own
limit (`trilith.api.uploads`). Cross-origin requests are answered for
`TRILITH_TRUSTED_ORIGINS` only (`https://*.example.com` matches any subdomain).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trilith.api.errors import error_body
from trilith.embed.origins import origin_allowed, parse_patterns

__all__ = [
    "BODY_LIMITS",
    "DEFAULT_JSON_BYTES",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "SecurityMiddleware",
    "TrustedOriginCORS",
    "body_limit",
    "json_depth_exceeds",
]

MiB = 1024 * 1024
MAX_JSON_BYTES = 25 * MiB
DEFAULT_JSON_BYTES = 1 * MiB
MAX_JSON_DEPTH = 64
_SCAN_INLINE_BYTES = 64 * 1024


@dataclass(frozen=True)
class BodyLimit:
    pattern: re.Pattern[str]
    max_bytes: int
    why: str


def _limit(path: str, max_bytes: int, why: str) -> BodyLimit:
    return BodyLimit(re.compile(path), max_bytes, why)


# First match wins; any other route takes DEFAULT_JSON_BYTES.
BODY_LIMITS: tuple[BodyLimit, ...] = (
    _limit(r"^/api/sigma/input-tables/[^/]+/rows(/|$)", MAX_JSON_BYTES, "a pasted batch of rows"),
    _limit(r"^/api/apps(/|$)", 10 * MiB, "an app spec"),
    _limit(r"^/api/actions/execute$|^/api/sigma/actions/[^/]+/execute$", 5 * MiB, "a selection"),
    _limit(r"^/api/ai/", 5 * MiB, "a prompt"),
)


def body_limit(path: str) -> tuple[int, str]:
    for rule in BODY_LIMITS:
        if rule.pattern.search(path):
            return rule.max_bytes, rule.why
    return DEFAULT_JSON_BYTES, "a request"


_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_INNERMOST = re.compile(rb"\[\]|\{\}")


def json_depth_exceeds(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether `body` nests arrays/objects deeper than `max_depth`, without parsing it:
    strings are blanked, then each pass removes one innermost level of brackets."""
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return False
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", body))
    for _ in range(max_depth):
        brackets = _INNERMOST.sub(b"", brackets)
        if not brackets:
            return False
    return bool(brackets)


async def _depth_exceeds(body: bytes) -> bool:
    """`json_depth_exceeds`, in a worker thread for a large body: scanning a pasted batch
    of megabytes takes long enough to stall every other request on the event loop."""
    if len(body) <= _SCAN_INLINE_BYTES:
        return json_depth_exceeds(body)
    return await run_in_threadpool(json_depth_exceeds, body)


def _csp(frame_ancestors: list[str]) -> str:
    ancestors = " ".join(["'self'", *frame_ancestors])
    return (
        "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; "
        f"frame-src {' '.join(['https:', *frame_ancestors])}; object-src 'none'; "
        f"base-uri 'self'; frame-ancestors {ancestors}"
    )


class TrustedOriginCORS(CORSMiddleware):
    """Starlette's CORS answers, for `TRILITH_TRUSTED_ORIGINS` only (wildcards matched by
    `trilith.embed.origins`, label by label)."""

    def __init__(self, app: ASGIApp, trusted_origins: list[str]) -> None:
        super().__init__(
            app,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "X-Request-Id",
                "X-CSRF-Token",
            ],
            expose_headers=["X-Request-Id", "Retry-After"],
            allow_credentials=True,
            max_age=600,
        )
        self.patterns = parse_patterns(trusted_origins)

    def is_allowed_origin(self, origin: str) -> bool:
        return origin_allowed(origin, self.patterns)


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, trusted_origins: list[str]) -> None:
        self.app = app
        self.headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"content-security-policy", _csp(trusted_origins).encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", ())
                existing = {k.lower() for k, _ in headers}
                extra = [(k, v) for k, v in self.headers if k not in existing]
                message = {**message, "headers": [*headers, *extra]}
            await send(message)

        if scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send_with_headers)
            return
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        if content_type.startswith("multipart/"):
            await self.app(scope, receive, send_with_headers)
            return
        max_bytes, why = body_limit(scope["path"])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > max_bytes:
            await self._refuse(send, 413, _too_large(int(length), max_bytes, why))
            return
        body, more = await _read_body(receive, max_bytes)
        if body is None:
            await self._refuse(send, 413, _too_large(None, max_bytes, why))
            return
        if "json" in content_type and await _depth_exceeds(body):
            message = (
                f"the JSON body nests arrays or objects more than {MAX_JSON_DEPTH} levels deep"
            )
            await self._refuse(send, 422, ("validation_failed", message))
            return
        await self.app(scope, _replay(body, more, receive), send_with_headers)

    async def _refuse(self, send: Send, status: int, error: tuple[str, str]) -> None:
        payload = json.dumps(error_body(error[0], error[1], None)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    *self.headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _too_large(length: int | None, max_bytes: int, why: str) -> tuple[str, str]:
    size = f"{length:,} bytes" if length is not None else "larger than the limit"
    return (
        "payload_too_large",
        f"the request body is {size}; the limit for {why} is {max_bytes:,} bytes "
        "(upload large data as a CSV file)",
    )


async def _read_body(receive: Receive, max_bytes: int) -> tuple[bytes | None, bool]:
    """The whole body (None past `max_bytes`), and whether the client disconnected."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            return None, False
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, connected: bool, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if not connected:
            return {"type": "http.disconnect"}
        return await receive()

    return replay
