"""Every error leaves the server in one shape:

    {"error": {"type", "message", "details", "error_id", "request_id"}}

and never with a stack trace. Unexpected exceptions are logged with their error id.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from trilith.errors import RateLimited, TrilithError

__all__ = ["error_body", "install_error_handlers"]

log = logging.getLogger("trilith.api")

_HTTP_TYPES = {
    400: "bad_request",
    401: "authentication_required",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    503: "warehouse_unavailable",
}


def error_body(
    error_type: str,
    message: str,
    request_id: str | None,
    details: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "error": {
            "type": error_type,
            "message": message,
            "details": details or [],
            "error_id": uuid.uuid4().hex,
            "request_id": request_id,
        }
    }
    body.update(extra or {})
    return body


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


async def _trilith_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TrilithError)
    body = error_body(exc.error_type, exc.message, _request_id(request), exc.details, exc.body)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    if exc.status_code >= 500:
        error_id = body["error"]["error_id"]
        log.warning(
            "%s %s -> %s [%s]: %s",
            request.method,
            request.url.path,
            exc.status_code,
            error_id,
            exc.message,
            extra={"error_id": error_id},
        )
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def _field_path(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header")]
    path = ""
    for part in parts:
        path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
    return path or ".".join(str(p) for p in location)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {
            "field": _field_path(err.get("loc", ())),
            "message": err.get("msg", ""),
            "type": err.get("type"),
        }
        for err in exc.errors()
    ]
    first = details[0] if details else {"field": "", "message": "invalid request"}
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    if any(d["type"] == "json_invalid" for d in details):
        body = error_body(
            "bad_request", f"malformed JSON body: {message}", _request_id(request), details
        )
        return JSONResponse(body, status_code=400)
    body = error_body("validation_failed", message, _request_id(request), details)
    return JSONResponse(body, status_code=422)


async def _model_error(request: Request, exc: Exception) -> JSONResponse:
    """A model check inside a route (a merged PATCH, a stored document) is still a 422."""
    assert isinstance(exc, ValidationError)
    details = [
        {
            "field": _field_path(err.get("loc", ())),
            "message": err.get("msg", ""),
            "type": err.get("type"),
        }
        for err in exc.errors()
    ]
    first = details[0] if details else {"field": "", "message": "invalid value"}
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return JSONResponse(
        error_body("validation_failed", message, _request_id(request), details), status_code=422
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    error_type = _HTTP_TYPES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = f"no route {request.method} {request.url.path}"
    body = error_body(error_type, message, _request_id(request))
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(TrilithError, _trilith_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _model_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
