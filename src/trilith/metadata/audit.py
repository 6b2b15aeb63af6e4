"""The audit log: who did what to which thing, when, with which request."""

from __future__ import annotations

import json
import uuid
from functools import lru_cache
from typing import Any

from sqlglot import exp

from trilith.engines.base import Engine, Session
from trilith.metadata.clock import utc_now
from trilith.sql.ddl import table
from trilith.sql.render import param

__all__ = ["record"]

_COLUMNS = (
    "audit_id",
    "at",
    "actor",
    "action",
    "target_type",
    "target_id",
    "parameters",
    "before_values",
    "after_values",
    "request_id",
)


@lru_cache(maxsize=64)
def _insert(schema: str) -> exp.Insert:
    return exp.insert(
        exp.select(*(param(c) for c in _COLUMNS)),
        table(schema, "audit_log"),
        columns=list(_COLUMNS),
    )


def record(
    target: Engine | Session,
    schema: str,
    *,
    actor: str | None,
    action: str,
    target_type: str,
    target_id: str | None,
    parameters: dict[str, Any] | None = None,
    before: Any = None,
    after: Any = None,
    request_id: str | None = None,
) -> None:
    """Write one audit entry, in `target`'s transaction when it is a session."""
    values = {
        "audit_id": uuid.uuid4().hex,
        "at": utc_now(),
        "actor": actor,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "parameters": json.dumps(parameters, default=str) if parameters is not None else None,
        "before_values": json.dumps(before, default=str) if before is not None else None,
        "after_values": json.dumps(after, default=str) if after is not None else None,
        "request_id": request_id,
    }
    target.execute(_insert(schema), values)
