"""The time stored in warehouse tables: naive UTC, which every engine's TIMESTAMP
(without time zone) keeps as written."""

from __future__ import annotations

import datetime as dt

__all__ = ["utc_now"]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
