"""Input-table definitions: what a table is, its columns and their rules.

The request contract (snake_case, with the seeds' camelCase accepted)::

    {"name", "type": "empty" | "csv" | "linked", "data_entry": "published" | "draft",
     "columns": [{"name", "type", "required", "default", "unique", "protected",
                  "validation": {"options", "options_from": {"table", "column"},
                                 "min", "max", "regex", "max_length"}}],
     "source": {...}, "primary_key": [...]}
"""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from trilith.input_tables.types import COLUMN_TYPES, ColumnTypeName

__all__ = [
    "SYSTEM_COLUMNS",
    "ColumnDefinition",
    "ColumnValidation",
    "InputTableDefinition",
    "InputTableUpdate",
    "LinkedSource",
    "OptionsFrom",
    "RowRule",
    "new_table_id",
]

SYSTEM_COLUMNS = ("_row_id", "_version", "_created_at", "_created_by", "_updated_at", "_updated_by")
MAX_OPTIONS = 100_000
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$")

Scalar = str | int | float | bool


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, alias_generator=to_camel, frozen=True
    )


class OptionsFrom(_Model):
    """Allowed values: the distinct values of a column of another warehouse table."""

    table: str
    column: str

    @field_validator("table")
    @classmethod
    def _table_name(cls, value: str) -> str:
        if not _TABLE_NAME.match(value):
            raise ValueError(f"{value!r} is not a table name; write schema.table or table")
        return value


class ColumnValidation(_Model):
    options: list[Scalar] | None = Field(None, max_length=MAX_OPTIONS)
    options_from: OptionsFrom | None = None
    min: float | str | None = None
    max: float | str | None = None
    regex: str | None = None
    max_length: int | None = Field(None, gt=0)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"regex {value!r} does not compile: {exc}") from None
        return value

    @model_validator(mode="after")
    def _one_source_of_options(self) -> ColumnValidation:
        if self.options is not None and self.options_from is not None:
            raise ValueError("give either options or options_from, not both")
        return self


class ColumnDefinition(_Model):
    name: str
    type: ColumnTypeName = "text"
    required: bool = False
    default: Any = None
    unique: bool = False
    protected: bool = False
    validation: ColumnValidation | None = None
    # Linked tables: a column read live from the source, never edited here.
    linked: bool = False
    # A computed column: a formula over the table's other columns, evaluated by the
    # warehouse on every read; never stored, never written.
    formula: str | None = None

    @field_validator("name")
    @classmethod
    def _column_name(cls, value: str) -> str:
        if not _IDENTIFIER.match(value):
            raise ValueError(
                f"column name {value!r} must start with a letter and hold only letters, "
                "digits and _ (at most 63); names starting with _ are the system columns'"
            )
        return value

    @model_validator(mode="after")
    def _computed_is_read_only(self) -> ColumnDefinition:
        if self.formula is not None and (
            self.required or self.unique or self.default is not None or self.linked
        ):
            raise ValueError(
                "a computed column (formula) is read-only: drop required, unique, default "
                "and linked"
            )
        return self

    @model_validator(mode="after")
    def _rules_fit_the_type(self) -> ColumnDefinition:
        column_type = COLUMN_TYPES[self.type]
        rules = self.validation
        if rules is not None:
            if (rules.min is not None or rules.max is not None) and not column_type.ordered:
                raise ValueError(f"min/max apply to numbers and dates, not {self.type} columns")
            if (rules.regex or rules.max_length) and not column_type.textual:
                raise ValueError(f"regex/max_length apply to text columns, not {self.type}")
        if column_type.needs_options and (
            rules is None or not (rules.options or rules.options_from)
        ):
            raise ValueError(f"a {self.type} column needs validation.options or options_from")
        return self


class LinkedSource(_Model):
    """Where a linked table's rows come from: a warehouse table or view."""

    table: str

    @field_validator("table")
    @classmethod
    def _table_name(cls, value: str) -> str:
        if not _TABLE_NAME.match(value):
            raise ValueError(f"{value!r} is not a table name; write schema.table or table")
        return value


def new_table_id(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40] or "table"
    if base[0].isdigit():
        base = f"t_{base}"
    return f"{base}_{secrets.token_hex(3)}"


# With the `sigds_` prefix a data table's name stays within PostgreSQL's 63 bytes.
TableId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,56}$")]


class RowRule(_Model):
    """Row-level security: rows a user of `roles` reads and writes keep `predicate` (a
    formula over the table's columns, e.g. `[Region] = CurrentUserAttributeText("region")`)
    true. Checked against the columns when the table is created or changed."""

    predicate: str = Field(min_length=1, max_length=4000)
    roles: list[Literal["viewer", "editor", "admin"]] = ["viewer", "editor"]


class InputTableDefinition(_Model):
    id: TableId | None = None
    name: str = Field(min_length=1, max_length=200)
    type: Literal["empty", "csv", "linked"] = "empty"
    data_entry: Literal["published", "draft"] = "published"
    columns: list[ColumnDefinition] = Field(min_length=1)
    source: LinkedSource | None = None
    primary_key: list[str] = []
    app_id: str | None = None
    row_security: list[RowRule] = []

    @model_validator(mode="after")
    def _consistent(self) -> InputTableDefinition:
        names = [c.name.lower() for c in self.columns]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"column names must be unique; repeated: {', '.join(duplicates)}")
        if self.type == "linked":
            if self.source is None:
                raise ValueError("a linked table needs source: {table: schema.table}")
            if not self.primary_key:
                raise ValueError("a linked table needs primary_key: the source's key column(s)")
            missing = [k for k in self.primary_key if k.lower() not in names]
            if missing:
                raise ValueError(f"primary_key names unknown columns: {', '.join(missing)}")
            editable_keys = [
                c.name for c in self.columns if c.name in self.primary_key and not c.linked
            ]
            if editable_keys:
                raise ValueError(
                    f"primary_key columns come from the source: mark {', '.join(editable_keys)} "
                    "as linked: true"
                )
        elif self.source is not None or self.primary_key:
            raise ValueError("source and primary_key apply to linked tables only")
        elif any(c.linked for c in self.columns):
            raise ValueError("linked: true applies to columns of linked tables only")
        return self

    def with_id(self) -> InputTableDefinition:
        return self if self.id else self.model_copy(update={"id": new_table_id(self.name)})

    def column(self, name: str) -> ColumnDefinition | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def editable_columns(self) -> list[ColumnDefinition]:
        """Columns a user edits: all but a linked table's source columns and computed ones."""
        return [c for c in self.columns if not c.linked and c.formula is None]

    @property
    def computed_columns(self) -> list[ColumnDefinition]:
        return [c for c in self.columns if c.formula is not None]

    @property
    def stored_columns(self) -> list[ColumnDefinition]:
        """Columns of the data table: a linked table also keeps its key there."""
        keys = [c for c in self.columns if c.name in self.primary_key]
        return [*keys, *self.editable_columns]


class InputTableUpdate(_Model):
    """`PATCH`: a new name, entry mode or column list (columns matched by name;
    `renames` maps old names to new ones)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    data_entry: Literal["published", "draft"] | None = None
    columns: list[ColumnDefinition] | None = None
    renames: dict[str, str] = {}
    row_security: list[RowRule] | None = None
