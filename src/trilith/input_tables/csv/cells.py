"""How the text of a CSV cell becomes a typed value, as DuckDB SQL.

DuckDB reads every uploaded file, whatever the warehouse (see `reader`), so these
expressions are the one definition of what a cell may hold. Each type has

* a *reader*: cell text → the column's value, NULL when the cell is blank or does not fit
  (so "does not fit" is `cell is not blank AND reader(cell) IS NULL`);
* for inference, a *guess*: does a non-blank cell look like this type? Guesses are
  stricter than readers: `007` reads as the integer 7 but is guessed to be text, so
  codes with leading zeros keep them.

Blank cells (empty, or only spaces, tabs and line breaks) are NULL for every type; other
types ignore surrounding whitespace, text keeps it.
Numbers may use thousands separators (`1,234.5`) but never a decimal comma, so a
`;`-delimited file with `1,5` is text, not 15. Date-times with an offset (`Z`, `+02:00`)
are stored in UTC.

Templates are parsed once with sqlglot; `v` stands for the raw cell, `t` for the
trimmed, non-blank cell.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlglot
from sqlglot import exp

__all__ = [
    "GUESS_ORDER",
    "TYPE_MESSAGES",
    "blank",
    "guess",
    "multi_list",
    "read",
    "read_checked",
    "read_guessed",
    "read_sampled",
]

Builder = Callable[[exp.Expr], exp.Expr]
WHITESPACE = " \t\r\n"

_INTEGER = r"[+-]?(\d+|\d{1,3}(,\d{3})+)(\.0*)?"
# Up to 18 digits always fit a BIGINT: the common case needs no clean-up.
_PLAIN_INTEGER = r"[+-]?\d{1,18}"
_NUMBER = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?\d{1,3}(,\d{3})+(\.\d+)?"
_PLAIN_NUMBER = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
_DATE = r"\d{4}-\d{2}-\d{2}"
_DATETIME = r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?"
_OFFSET = r"[T ]\d{2}:\d{2}.*(Z|[+-]\d{2}(:?\d{2})?)$"
# Guessed integers have no leading zeros, no decimal point, at most 18 digits; guessed
# numbers no leading zeros either.
_GUESS_INTEGER = r"[+-]?(0|[1-9]\d{0,17}|[1-9]\d{0,2}(,\d{3}){1,5})"
_GUESS_NUMBER = (
    r"[+-]?((0|[1-9]\d*)(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?"
)
_TRUE = "'true', 't', 'yes', 'y', '1', 'on'"
_FALSE = "'false', 'f', 'no', 'n', '0', 'off'"
_OPTION = r"[^,\s](?:[^,]*[^,\s])?"

_READERS_SQL: dict[str, str] = {
    "text": "CASE WHEN t IS NOT NULL THEN v END",
    "single_select": "CASE WHEN t IS NOT NULL THEN v END",
    "integer": (
        f"CASE WHEN regexp_full_match(t, '{_PLAIN_INTEGER}') THEN CAST(t AS BIGINT) "
        f"WHEN regexp_full_match(t, '{_INTEGER}') "
        r"THEN TRY_CAST(regexp_replace(replace(t, ',', ''), '\.0*$', '') AS BIGINT) END"
    ),
    "number": (
        f"CASE WHEN regexp_full_match(t, '{_PLAIN_NUMBER}') "
        "AND isfinite(TRY_CAST(t AS DOUBLE)) THEN CAST(t AS DOUBLE) "
        f"WHEN regexp_full_match(t, '{_NUMBER}') "
        "AND isfinite(TRY_CAST(replace(t, ',', '') AS DOUBLE)) "
        "THEN TRY_CAST(replace(t, ',', '') AS DOUBLE) END"
    ),
    "date": (
        f"CASE WHEN regexp_full_match(t, '{_DATE}([T ].*)?') THEN TRY_CAST(left(t, 10) AS DATE) END"
    ),
    "datetime": (
        f"CASE WHEN NOT regexp_full_match(t, '{_DATETIME}') THEN NULL "
        f"WHEN regexp_matches(t, '{_OFFSET}') "
        "THEN timezone('UTC', TRY_CAST(t AS TIMESTAMPTZ)) "
        "ELSE TRY_CAST(t AS TIMESTAMP) END"
    ),
    "checkbox": (
        f"CASE WHEN lower(t) IN ({_TRUE}) THEN TRUE WHEN lower(t) IN ({_FALSE}) THEN FALSE END"
    ),
    "multi_select": "CAST(to_json(m) AS VARCHAR)",
}
_MULTI_LIST_SQL = (
    "CASE WHEN starts_with(t, '[') THEN CAST(TRY_CAST(t AS JSON) ->> '$[*]' AS VARCHAR[]) "
    f"ELSE regexp_extract_all(t, '{_OPTION}') END"
)
_GUESSES_SQL: dict[str, str] = {
    "checkbox": "lower(t) IN ('true', 'false', 'yes', 'no')",
    "integer": f"regexp_full_match(t, '{_GUESS_INTEGER}')",
    "number": (
        f"regexp_full_match(t, '{_GUESS_NUMBER}') "
        "AND isfinite(TRY_CAST(replace(t, ',', '') AS DOUBLE))"
    ),
    "date": (
        f"length(t) = 10 AND TRY_CAST(t AS DATE) IS NOT NULL AND regexp_full_match(t, '{_DATE}')"
    ),
    "datetime": f"({_READERS_SQL['datetime']}) IS NOT NULL",
}
# Cheap tests that imply the guess, tried first: the cell is exactly how DuckDB writes
# the value it casts to (no sign, zero or separator the guess would refuse can survive
# that round trip; years of five digits and non-finite numbers are kept out by hand).
# Only cells failing them go through the guess's pattern tests.
_CANONICAL_SQL: dict[str, str] = {
    "integer": "length(t) <= 18 AND CAST(TRY_CAST(t AS BIGINT) AS VARCHAR) = t",
    "number": ("isfinite(TRY_CAST(t AS DOUBLE)) AND CAST(TRY_CAST(t AS DOUBLE) AS VARCHAR) = t"),
    "date": "length(t) = 10 AND CAST(TRY_CAST(t AS DATE) AS VARCHAR) = t",
    "datetime": (
        "length(t) BETWEEN 19 AND 26 AND substr(t, 5, 1) = '-' "
        "AND CAST(TRY_CAST(t AS TIMESTAMP) AS VARCHAR) = t"
    ),
}
for _name, _canonical in _CANONICAL_SQL.items():
    _GUESSES_SQL[_name] = (
        f"CASE WHEN COALESCE({_canonical}, FALSE) THEN TRUE ELSE ({_GUESSES_SQL[_name]}) END"
    )
# Readers for cells already known to fit the type's *guess* (inference checked every cell
# of the file): each gives what the type's reader gives for such a cell, without the
# reader's pattern tests. Types not listed use their reader.
_GUESSED_SQL: dict[str, str] = {
    "integer": "CAST(replace(t, ',', '') AS BIGINT)",
    "number": "CAST(replace(t, ',', '') AS DOUBLE)",
    "date": "CAST(t AS DATE)",
    "checkbox": "lower(t) IN ('true', 'yes')",
    # A date-time as DuckDB writes one has no offset: the reader would cast it as it is.
    "datetime": (
        f"CASE WHEN COALESCE({_CANONICAL_SQL['datetime']}, FALSE) THEN CAST(t AS TIMESTAMP) "
        f"ELSE ({_READERS_SQL['datetime']}) END"
    ),
}


# The first guess every non-blank cell of a column fits is the column's type; else text.
GUESS_ORDER = ("checkbox", "integer", "number", "date", "datetime")

TYPE_MESSAGES: dict[str, str] = {
    "integer": "expected a whole number, got {value!r}",
    "number": "expected a number (digits, an optional . and thousands commas), got {value!r}",
    "date": "expected a date as YYYY-MM-DD, got {value!r}",
    "datetime": "expected a date-time as YYYY-MM-DD HH:MM[:SS][+HH:MM], got {value!r}",
    "checkbox": "expected true or false (yes/no, 1/0), got {value!r}",
    "multi_select": 'expected a list of options ("a, b" or ["a", "b"]), got {value!r}',
}


def _template(sql: str) -> Callable[..., exp.Expr]:
    tree = sqlglot.parse_one(sql, read="duckdb")

    def build(cell: exp.Expr, trimmed: exp.Expr | None = None) -> exp.Expr:
        trimmed = blank_or_trimmed(cell) if trimmed is None else trimmed
        multi = _MULTI_LIST(cell, trimmed) if "m" in _names(tree) else None

        def swap(node: exp.Expr) -> exp.Expr:
            if isinstance(node, exp.Column) and not node.table:
                if node.name == "v":
                    return cell.copy()
                if node.name == "t":
                    return trimmed.copy()
                if node.name == "m" and multi is not None:
                    return multi.copy()
            return node

        return tree.transform(swap, copy=True)

    return build


def _names(tree: exp.Expr) -> set[str]:
    return {c.name for c in tree.find_all(exp.Column) if not c.table}


def blank_or_trimmed(cell: exp.Expr) -> exp.Expr:
    """NULL for a blank cell, else the cell without surrounding spaces.

    DuckDB's `trim` with a set of characters costs about five times a plain test, and almost no
    cell needs it: only cells whose first or last character (a code point, as `trim`
    sees them) is whitespace are trimmed; the others are passed as they are."""
    trimmed = exp.Trim(this=cell.copy(), expression=exp.Literal.string(WHITESPACE))
    stripped = exp.Nullif(this=trimmed, expression=exp.Literal.string(""))
    spaces = [exp.Literal.string(c) for c in WHITESPACE]
    padded = exp.or_(
        exp.func("ASCII", cell.copy()).isin(*(exp.Literal.number(ord(c)) for c in WHITESPACE)),
        exp.func("RIGHT", cell.copy(), exp.Literal.number(1)).isin(*spaces),
    )
    return exp.Case(
        ifs=[
            exp.If(this=padded, true=stripped),
            exp.If(this=cell.copy().eq(exp.Literal.string("")), true=exp.null()),
        ],
        default=cell.copy(),
    )


_MULTI_LIST = _template(_MULTI_LIST_SQL)
_READERS: dict[str, Callable[..., exp.Expr]] = {
    name: _template(sql) for name, sql in _READERS_SQL.items()
}
_GUESSED_READERS: dict[str, Callable[..., exp.Expr]] = {
    name: _template(sql) for name, sql in _GUESSED_SQL.items()
}
_GUESSES: dict[str, Callable[..., exp.Expr]] = {
    name: _template(sql) for name, sql in _GUESSES_SQL.items()
}


def read(type_name: str, cell: exp.Expr, trimmed: exp.Expr | None = None) -> exp.Expr:
    """The column value read from `cell` (NULL when blank or not of the type). `trimmed`
    is `blank_or_trimmed(cell)` computed once elsewhere (a column of a subquery), so the
    readers, which use it several times, do not trim again each time."""
    return _READERS[type_name](cell, trimmed)


def read_guessed(type_name: str, cell: exp.Expr, trimmed: exp.Expr | None = None) -> exp.Expr:
    """`read` for a cell that is blank or fits `guess(type_name)`."""
    reader = _GUESSED_READERS.get(type_name) or _READERS[type_name]
    return reader(cell, trimmed)


# For `read_sampled`: a test of the raw cell that implies it fits the type's guess (so it
# has no surrounding whitespace either), and the value the guessed reader gives for it.
_FAST_SQL: dict[str, tuple[str, str]] = {
    "integer": (r"regexp_full_match(t, '-?(0|[1-9][0-9]{0,17})')", "CAST(t AS BIGINT)"),
    "number": (
        r"regexp_full_match(t, '-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,17})?')",
        "CAST(t AS DOUBLE)",
    ),
    "date": (_CANONICAL_SQL["date"], "CAST(t AS DATE)"),
    "datetime": (_CANONICAL_SQL["datetime"], "CAST(t AS TIMESTAMP)"),
    "checkbox": ("t IN ('true', 'false')", "t = 'true'"),
}
_FAST: dict[str, tuple[Callable[..., exp.Expr], Callable[..., exp.Expr]]] = {
    name: (_template(test), _template(value)) for name, (test, value) in _FAST_SQL.items()
}
# A text cell is blank only when it is empty or starts with whitespace.
_TEXT_SQL = (
    "CASE WHEN ASCII(v) IN (32, 9, 13, 10) "
    f"THEN CASE WHEN TRIM(v, '{WHITESPACE}') = '' THEN NULL ELSE v END "
    "WHEN v = '' THEN NULL ELSE v END"
)
_TEXT = _template(_TEXT_SQL)


def read_sampled(type_name: str, cell: exp.Expr) -> exp.Expr:
    """`read_checked` of the raw cell, trimming only cells that need it: a text cell
    is only tested for blankness, and a cell passing the type's fast test (`_FAST_SQL`)
    is cast as it is."""
    if type_name in ("text", "single_select"):
        return _TEXT(cell, cell)
    checked = read_checked(type_name, cell, blank_or_trimmed(cell))
    if type_name not in _FAST:
        return checked
    test, value = _FAST[type_name]
    fits = exp.func("COALESCE", test(cell, cell), exp.false())
    return exp.Case(ifs=[exp.If(this=fits, true=value(cell, cell))], default=checked)


# The message of the error `read_checked` raises; its callers look for it.
MISFIT = "trilith: a cell does not fit the column's sampled type"


def read_checked(type_name: str, cell: exp.Expr, trimmed: exp.Expr | None = None) -> exp.Expr:
    """`read_guessed` for a column whose type was guessed from its first rows only: a
    non-blank cell that does not fit `guess(type_name)` ends the query with an error
    (`MISFIT`), so a column is only ever read as a type every one of its cells fits."""
    if type_name not in _GUESSES:
        return read(type_name, cell, trimmed)
    trimmed = blank_or_trimmed(cell) if trimmed is None else trimmed
    fits = exp.func("COALESCE", guess(type_name, cell, trimmed), exp.false())
    return exp.Case(
        ifs=[
            exp.If(this=trimmed.copy().is_(exp.null()), true=exp.null()),
            exp.If(this=fits, true=read_guessed(type_name, cell, trimmed)),
        ],
        default=exp.Anonymous(this="error", expressions=[exp.Literal.string(MISFIT)]),
    )


def multi_list(cell: exp.Expr) -> exp.Expr:
    """A multi-select cell as a VARCHAR[] of its options."""
    return _MULTI_LIST(cell)


def guess(type_name: str, cell: exp.Expr, trimmed: exp.Expr | None = None) -> exp.Expr:
    """True when the non-blank `cell` looks like `type_name` (`trimmed` as for `read`)."""
    return _GUESSES[type_name](cell, trimmed)


def blank(cell: exp.Expr) -> exp.Expr:
    return blank_or_trimmed(cell).is_(exp.null())
