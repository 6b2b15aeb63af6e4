"""Date formats and ISO date text: strftime formats translated per dialect.

Formats use strftime directives (%Y %m %d %H %M %S %y %j %b %B %a %A %I %p %%) with
punctuation and spaces between them; letters outside directives are refused, because
TO_CHAR and Java-style formats would read them as fields. DuckDB, SQLite and BigQuery
take strftime as it is; the others get their own spelling from `_DIRECTIVES`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.functions import trees
from trilith.formula.functions.spec import ArgumentError
from trilith.formula.ir import IR, Bound, Const

__all__ = [
    "DATETIME_FORMAT",
    "DATE_PATTERN",
    "check_format",
    "format_sql",
    "parse_date_text",
    "parse_sql",
    "translate_format",
]

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_PATTERN = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?\s*$"
_DATE_RE = re.compile(DATE_PATTERN)


def parse_date_text(value: str) -> dt.date | dt.datetime | None:
    """ISO text as a date (YYYY-MM-DD) or a datetime (with a time); None otherwise."""
    if not _DATE_RE.match(value):
        return None
    value = value.strip()
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value.replace("T", " "))
    except ValueError:
        return None


# strftime directive -> its spelling per dialect family (None: the dialect lacks it).
_STRFTIME = ("duckdb", "sqlite", "bigquery")
_DIRECTIVES: dict[str, dict[str, str | None]] = {
    "%Y": {"to_char": "YYYY", "snowflake": "YYYY", "databricks": "yyyy"},
    "%m": {"to_char": "MM", "snowflake": "MM", "databricks": "MM"},
    "%d": {"to_char": "DD", "snowflake": "DD", "databricks": "dd"},
    "%H": {"to_char": "HH24", "snowflake": "HH24", "databricks": "HH"},
    "%M": {"to_char": "MI", "snowflake": "MI", "databricks": "mm"},
    "%S": {"to_char": "SS", "snowflake": "SS", "databricks": "ss"},
    "%y": {"to_char": "YY", "snowflake": "YY", "databricks": "yy", "sqlite": None},
    "%j": {"to_char": "DDD", "snowflake": None, "databricks": "DDD"},
    "%b": {
        "to_char": "TMMon",
        "redshift": "Mon",
        "snowflake": "Mon",
        "databricks": "MMM",
        "sqlite": None,
    },
    "%B": {
        "to_char": "TMMonth",
        "redshift": "FMMonth",
        "snowflake": "MMMM",
        "databricks": "MMMM",
        "sqlite": None,
    },
    "%a": {
        "to_char": "TMDy",
        "redshift": "Dy",
        "snowflake": "Dy",
        "databricks": "EEE",
        "sqlite": None,
    },
    "%A": {
        "to_char": "TMDay",
        "redshift": "FMDay",
        "snowflake": None,
        "databricks": "EEEE",
        "sqlite": None,
    },
    "%I": {"to_char": "HH12", "snowflake": "HH12", "databricks": "hh", "sqlite": None},
    "%p": {"to_char": "AM", "snowflake": "AM", "databricks": "a", "sqlite": None},
    "%%": {"to_char": "%", "snowflake": "%", "databricks": "%"},
}
_TOKEN = re.compile(r"%.|[^%]+|%$")
_FORBIDDEN_LITERAL = re.compile(r"[A-Za-z'\"\\]")


def _family(dialect: str) -> str:
    return "to_char" if dialect in ("postgres", "redshift") else dialect


def translate_format(fmt: str, dialect: str) -> str:
    """A strftime format in the dialect's own notation; ValueError names a gap."""
    if dialect in _STRFTIME and dialect != "sqlite":
        return fmt
    out: list[str] = []
    for token in _TOKEN.findall(fmt):
        if not token.startswith("%"):
            out.append(token)
            continue
        spellings = _DIRECTIVES[token]
        spelled = spellings.get(dialect, spellings.get(_family(dialect), token))
        if spelled is None:
            raise ValueError(f"the format directive {token} is not supported on {dialect}")
        out.append(token if dialect == "sqlite" else spelled)
    return "".join(out)


def check_format(index: int) -> Callable[[Sequence[IR]], None]:
    def validate(irs: Sequence[IR]) -> None:
        arg = irs[index] if index < len(irs) else None
        if not isinstance(arg, Const | Bound) or arg.value is None:
            return
        for token in _TOKEN.findall(arg.value):
            if token.startswith("%") and token not in _DIRECTIVES:
                known = " ".join(_DIRECTIVES)
                raise ArgumentError(index, f"uses {token}; known directives: {known}")
            if not token.startswith("%") and _FORBIDDEN_LITERAL.search(token):
                raise ArgumentError(
                    index, "may hold only directives and punctuation; join words with &"
                )

    return validate


def format_sql(node: exp.Expr, type_: str, spelled: exp.Expr, dialect: str) -> exp.Expr:
    """The date or datetime `node` as text in `spelled`, a format in the dialect's notation
    (from `translate_format`)."""
    if dialect in ("duckdb", "sqlite"):
        return exp.TimeToStr(this=node, format=spelled)
    if dialect == "bigquery":
        name = "FORMAT_DATE" if type_ == t.DATE else "FORMAT_DATETIME"
        return trees.call(name, spelled, node)
    return trees.call("DATE_FORMAT" if dialect == "databricks" else "TO_CHAR", node, spelled)


_PARSERS: dict[str, Callable[[exp.Expr, exp.Expr], exp.Expr]] = {
    "duckdb": lambda node, fmt: trees.call("TRY_STRPTIME", node, fmt),
    "postgres": lambda node, fmt: trees.cast(trees.call("TO_TIMESTAMP", node, fmt), t.DATETIME),
    "redshift": lambda node, fmt: trees.cast(trees.call("TO_TIMESTAMP", node, fmt), t.DATETIME),
    "snowflake": lambda node, fmt: trees.call("TRY_TO_TIMESTAMP", node, fmt),
    "databricks": lambda node, fmt: trees.call("TRY_TO_TIMESTAMP", node, fmt),
    "bigquery": lambda node, fmt: trees.call("SAFE.PARSE_DATETIME", fmt, node),
}


def parse_sql(node: exp.Expr, spelled: exp.Expr, dialect: str) -> exp.Expr:
    """Text parsed by `spelled`, a format in the dialect's notation; ValueError where the
    dialect cannot parse by a format."""
    parser = _PARSERS.get(dialect)
    if parser is None:
        raise ValueError(f"parsing by a format is not supported on {dialect}")
    return parser(node, spelled)
