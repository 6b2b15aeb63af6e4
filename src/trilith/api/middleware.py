"""Request context as plain ASGI middleware: request ids, metrics, the access log and
the last-resort 500.

Pure ASGI rather than `BaseHTTPMiddleware`, so streamed responses (SSE, CSV) pass through
untouched and the per-request cost stays small. Every request ends with one
`trilith.access` log line (method, route, status, duration, request id, actor); an
unhandled exception is logged with the same `error_id` as the 500 body carries.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trilith.api.errors import error_body
from trilith.observability.logs import close_context, open_context
from trilith.observability.metrics import Metrics

__all__ = ["RequestContextMiddleware"]

log = logging.getLogger("trilith.api")
access = logging.getLogger("trilith.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        # An id from the caller is echoed only when it is safe to put in logs and headers.
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        id_header = (b"x-request-id", request_id.encode())
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        context, token = open_context(request_id, state)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message = {**message, "headers": [*message.get("headers", ()), id_header]}
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            body = error_body("internal_error", "internal server error", request_id)
            error_id = body["error"]["error_id"]
            log.exception("unhandled error [%s]", error_id, extra={"error_id": error_id})
            if response_started:
                raise
            status = 500
            await _send_json(send_with_id, 500, body)
        finally:
            seconds = time.perf_counter() - started
            route = _route_template(scope)
            self.metrics.in_flight.dec()
            self.metrics.observe(scope["method"], route, status, seconds)
            if access.isEnabledFor(logging.INFO):
                access.info(
                    "%s %s %s %.1f ms",
                    scope["method"],
                    scope["path"],
                    status,
                    seconds * 1000,
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                        "actor": context.actor,
                    },
                )
            close_context(token)


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    # Unmatched paths share one label so random URLs cannot grow the metric's cardinality.
    return str(path) if path else "<unmatched>"


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
