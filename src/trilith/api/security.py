"""Response security headers and the request-body limit, as plain ASGI middleware.

Every response says how the browser must treat it (a strict Content-Security-Policy for
the UI, no MIME sniffing, no referrer leaks, no framing except by trusted origins). A
request body larger than the limit for its kind is refused with 413 before it is read:
JSON bodies are small (a pasted batch included), multipart uploads have their own limit.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trilith.api.errors import error_body

__all__ = ["MAX_JSON_BYTES", "SecurityMiddleware"]

MAX_JSON_BYTES = 25 * 1024 * 1024


def _csp(frame_ancestors: list[str]) -> str:
    ancestors = " ".join(["'self'", *frame_ancestors])
    return (
        "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; frame-src https:; object-src 'none'; "
        f"base-uri 'self'; frame-ancestors {ancestors}"
    )


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
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        length = headers.get(b"content-length", b"")
        too_large = length.isdigit() and int(length) > MAX_JSON_BYTES
        if too_large and not content_type.startswith("multipart/"):
            await self._too_large(send, int(length))
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in existing]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _too_large(self, send: Send, length: int) -> None:
        message = (
            f"the request body is {length:,} bytes; the limit is {MAX_JSON_BYTES:,} "
            "(upload large data as a CSV file)"
        )
        payload = json.dumps(error_body("payload_too_large", message, None)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    *self.headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
