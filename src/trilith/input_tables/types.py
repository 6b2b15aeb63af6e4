"""Column types of input tables: warehouse type, and how a submitted value is read.

Each type coerces what a client sends (JSON values, or text from a paste or CSV) into the
Python value bound to the warehouse, or raises `ValueError` with a message a user can act
on. Multi-select values are stored as JSON text, so every engine holds them alike.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["COLUMN_TYPES", "ColumnType", "ColumnTypeName", "formula_type", "from_storage"]

ColumnTypeName = Literal[
    "text", "number", "integer", "date", "datetime", "checkbox", "single_select", "multi_select"
]

_TRUE = {"true", "t", "yes", "y", "1", "on"}
_FALSE = {"false", "f", "no", "n", "0", "off"}


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    raise ValueError(f"expected text, got {type(value).__name__}")


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number, got true/false")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "")) if value.strip() else math.nan
        except ValueError:
            raise ValueError(f"expected a number, got {value!r}") from None
    else:
        raise ValueError(f"expected a number, got {type(value).__name__}")
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def _integer(value: Any) -> int:
    number = _number(value)
    if not number.is_integer():
        raise ValueError(f"expected a whole number, got {value!r}")
    if abs(number) >= 2**63:
        raise ValueError(f"{value!r} is too large for an integer column")
    return int(number)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")


def _datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"expected a date-time as ISO 8601, got {value!r}") from None
    else:
        raise ValueError(f"expected a date-time as ISO 8601, got {value!r}")
    # Stored as UTC without an offset.
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _checkbox(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"expected true or false, got {value!r}")


def _multi(value: Any) -> str:
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError:
                raise ValueError(f"expected a list of options, got {value!r}") from None
        else:
            value = [part.strip() for part in stripped.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise ValueError(f"expected a list of options, got {value!r}")
    return json.dumps([str(v) for v in value])


@dataclass(frozen=True, slots=True)
class ColumnType:
    name: str
    sql_type: str
    coerce: Callable[[Any], Any]
    formula_type: str  # what formulas see the column as
    ordered: bool = False
    textual: bool = False
    needs_options: bool = False


COLUMN_TYPES: dict[str, ColumnType] = {
    t.name: t
    for t in (
        ColumnType("text", "TEXT", _text, "text", textual=True),
        ColumnType("number", "DOUBLE", _number, "number", ordered=True),
        ColumnType("integer", "BIGINT", _integer, "integer", ordered=True),
        ColumnType("date", "DATE", _date, "date", ordered=True),
        ColumnType("datetime", "TIMESTAMP", _datetime, "datetime", ordered=True),
        ColumnType("checkbox", "BOOLEAN", _checkbox, "logical"),
        ColumnType("single_select", "TEXT", _text, "text", textual=True, needs_options=True),
        ColumnType("multi_select", "TEXT", _multi, "text", needs_options=True),
    )
}


def _stored_multi(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _stored_date(value: Any) -> str:
    return (value if isinstance(value, str) else value.isoformat())[:10]


def _stored_datetime(value: Any) -> str:
    return value.replace(" ", "T") if isinstance(value, str) else value.isoformat()


_FROM_STORAGE: dict[str, Callable[[Any], Any]] = {
    "multi_select": _stored_multi,
    "checkbox": bool,
    "date": _stored_date,
    "datetime": _stored_datetime,
    "integer": int,
    "number": float,
}


def from_storage(type_name: str, value: Any) -> Any:
    """A stored value as the API returns it (JSON-ready); engines differ in what they hand
    back (SQLite: text dates and 0/1 booleans)."""
    if value is None:
        return None
    convert = _FROM_STORAGE.get(type_name)
    return convert(value) if convert else value


def formula_type(type_name: str) -> str:
    """The formula type of an input-table column type."""
    return COLUMN_TYPES[type_name].formula_type
