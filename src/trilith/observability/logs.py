"""Structured logs: stdlib `logging` with a JSON formatter and a per-request context.

`configure_logging("json")` (`TRILITH_LOG_FORMAT=json`) writes one JSON object a line to
stderr: `ts`, `level`, `logger`, `message`, the request's `request_id` and `actor` when
the line was logged while serving one, any `extra=` fields, and `exc_info` as text.
`text` keeps a human format with the request id. The request middleware opens a
`RequestContext` per request; the actor is the one authentication leaves in the
request's state.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "JsonFormatter",
    "LogFormat",
    "RequestContext",
    "configure_logging",
]

LogFormat = Literal["json", "text"]

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


@dataclass
class RequestContext:
    request_id: str
    # The ASGI scope's `state`: authentication leaves the actor there (`request.state.actor`).
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def actor(self) -> str | None:
        actor_id = getattr(self.state.get("actor"), "id", None)
        return str(actor_id) if actor_id is not None else None


_context: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "trilith_request", default=None
)


def open_context(
    request_id: str, state: dict[str, Any] | None = None
) -> tuple[RequestContext, contextvars.Token[Any]]:
    context = RequestContext(request_id, state if state is not None else {})
    return context, _context.set(context)


def close_context(token: contextvars.Token[Any]) -> None:
    _context.reset(token)


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        if context is not None:
            if not hasattr(record, "request_id"):
                record.request_id = context.request_id
            if not hasattr(record, "actor"):
                record.actor = context.actor
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"{line} [request {request_id}]" if request_id else line


_HANDLER_NAME = "trilith"


def configure_logging(fmt: LogFormat = "text", level: str = "INFO") -> logging.Handler:
    """Route the `trilith` and `uvicorn` loggers through one handler in `fmt`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(_ContextFilter())
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else _TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    for name in ("trilith", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
            logger.removeHandler(old)
        if name != "uvicorn.error":
            logger.addHandler(handler)
        logger.setLevel(level.upper())
        logger.propagate = name == "uvicorn.error"
    # uvicorn's own access log is replaced by trilith.access (with request id and actor).
    logging.getLogger("uvicorn.access").disabled = True
    return handler
