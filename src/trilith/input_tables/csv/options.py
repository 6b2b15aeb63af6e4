"""What a CSV upload asks for: delimiter, header row, append or replace, and for a new
table its name and column overrides.

Form fields arrive as text (multipart); each is read here into a typed value, or refused
with a 422 that names the field and what it accepts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from trilith.errors import ValidationFailed
from trilith.input_tables.types import COLUMN_TYPES

__all__ = [
    "DELIMITERS",
    "ColumnOverrides",
    "CsvOptions",
    "CsvTableRequest",
    "Mode",
    "parse_columns",
    "parse_delimiter",
]

Mode = Literal["append", "replace"]

# Accepted spellings of the three delimiters; "" and "auto" mean "detect".
DELIMITERS: dict[str, str | None] = {
    ",": ",",
    "comma": ",",
    ";": ";",
    "semicolon": ";",
    "\t": "\t",
    "\\t": "\t",
    "tab": "\t",
    "": None,
    "auto": None,
}
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}
IMPORT_FIELDS = ("file", "delimiter", "header", "mode")
CREATE_FIELDS = (
    "file",
    "id",
    "name",
    "type",
    "data_entry",
    "app_id",
    "delimiter",
    "header",
    "columns",
)


@dataclass(frozen=True, slots=True)
class CsvOptions:
    delimiter: str | None = None  # None: detected from the file
    header: bool = True
    mode: Mode = "append"


@dataclass(frozen=True, slots=True)
class ColumnOverrides:
    """Column overrides for a new table: types by column name, or a full column list
    (one entry per file column, in file order) whose entries without a type are inferred."""

    types: dict[str, str] = field(default_factory=dict)
    columns: tuple[dict[str, Any], ...] | None = None


@dataclass(frozen=True, slots=True)
class CsvTableRequest:
    """A new CSV input table: the definition keys a client sent alongside the file."""

    name: str
    options: CsvOptions
    overrides: ColumnOverrides
    id: str | None = None
    data_entry: str = "published"
    app_id: str | None = None

    @classmethod
    def from_form(cls, fields: Mapping[str, str]) -> CsvTableRequest:
        _known(fields, CREATE_FIELDS)
        name = fields.get("name", "").strip()
        if not name:
            raise ValidationFailed(
                "a CSV input table needs a name: send the form field name=…",
                details=[{"field": "name", "message": "required"}],
            )
        kind = fields.get("type", "csv")
        if kind != "csv":
            raise ValidationFailed(
                f"a table created from an uploaded file has type csv, not {kind!r}",
                details=[{"field": "type", "message": "must be csv"}],
            )
        return cls(
            name=name,
            options=CsvOptions(
                delimiter=parse_delimiter(fields.get("delimiter", "")),
                header=_boolean(fields, "header", default=True),
            ),
            overrides=parse_columns(fields.get("columns", "")),
            id=fields.get("id") or None,
            data_entry=fields.get("data_entry", "published") or "published",
            app_id=fields.get("app_id") or None,
        )


def import_options(fields: Mapping[str, str]) -> CsvOptions:
    """Options of an import into an existing table (`POST …/{id}/csv`)."""
    _known(fields, IMPORT_FIELDS)
    mode = fields.get("mode", "append") or "append"
    if mode not in ("append", "replace"):
        raise ValidationFailed(
            f"mode must be append or replace, not {mode!r}",
            details=[{"field": "mode", "message": "append or replace"}],
        )
    return CsvOptions(
        delimiter=parse_delimiter(fields.get("delimiter", "")),
        header=_boolean(fields, "header", default=True),
        mode="replace" if mode == "replace" else "append",
    )


def parse_delimiter(text: str) -> str | None:
    key = text if text in DELIMITERS else text.strip().lower()
    if key not in DELIMITERS:
        raise ValidationFailed(
            f"delimiter {text!r} is not supported; use ',' ';' or tab (or leave it out to "
            "detect it)",
            details=[{"field": "delimiter", "message": "one of , ; tab"}],
        )
    return DELIMITERS[key]


def parse_columns(text: str) -> ColumnOverrides:
    """`columns` as JSON: `{"amount": "integer"}` or a list of column definitions."""
    if not text.strip():
        return ColumnOverrides()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"columns is not valid JSON ({exc.msg} at character {exc.pos}); send an object "
            'like {"amount": "integer"} or a list of column definitions',
            details=[{"field": "columns", "message": "invalid JSON"}],
        ) from None
    if isinstance(value, dict):
        types: dict[str, str] = {}
        for name, type_name in value.items():
            if type_name not in COLUMN_TYPES:
                raise ValidationFailed(
                    f"columns: {name!r} has unknown type {type_name!r}; types: "
                    f"{', '.join(COLUMN_TYPES)}",
                    details=[{"field": f"columns.{name}", "message": "unknown type"}],
                )
            types[str(name)] = str(type_name)
        return ColumnOverrides(types=types)
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return ColumnOverrides(columns=tuple(value))
    raise ValidationFailed(
        'columns must be an object like {"amount": "integer"} or a list of column definitions',
        details=[{"field": "columns", "message": "object or list"}],
    )


def _boolean(fields: Mapping[str, str], name: str, *, default: bool) -> bool:
    text = fields.get(name, "").strip().lower()
    if not text:
        return default
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValidationFailed(
        f"{name} must be true or false, not {fields[name]!r}",
        details=[{"field": name, "message": "true or false"}],
    )


def _known(fields: Mapping[str, str], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationFailed(
            f"unknown form field(s): {', '.join(unknown)}; accepted: {', '.join(allowed)}",
            details=[{"field": name, "message": "unknown field"} for name in unknown],
        )
