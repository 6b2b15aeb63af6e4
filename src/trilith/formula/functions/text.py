"""Text functions. Positions are one-based; Find gives 0 when the text is absent; counts
and lengths below zero count as zero. Regular expressions and LIKE are in patterns.py.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.functions import trees
from trilith.formula.functions.operators import concat_py, concat_sql
from trilith.formula.functions.spec import (
    Function,
    Invocation,
    function,
    registry,
)
from trilith.formula.ir import Const

__all__ = ["FUNCTIONS"]

NO_REGEX = "SQLite has no regular expressions"


def _length(node: exp.Expr) -> exp.Expr:
    return exp.Length(this=node)


def _substr(node: exp.Expr, start: exp.Expr, length: exp.Expr | None = None) -> exp.Expr:
    return exp.Substring(this=node, start=start, length=length)


# --- searching ---------------------------------------------------------------------------


def _strpos(inv: Invocation) -> exp.Expr:
    return exp.StrPosition(this=inv.arg(0), substr=inv.arg(1))


def _starts_with(inv: Invocation) -> exp.Expr:
    return exp.StartsWith(this=inv.arg(0), expression=inv.arg(1))


def _starts_with_substr(inv: Invocation) -> exp.Expr:
    text, prefix = inv.arg(0), inv.arg(1)
    return exp.EQ(this=_substr(text, trees.integer(1), _length(prefix)), expression=prefix)


def _ends_with(inv: Invocation) -> exp.Expr:
    return exp.EndsWith(this=inv.arg(0), expression=inv.arg(1))


def _ends_with_right(inv: Invocation) -> exp.Expr:
    text, suffix = inv.arg(0), inv.arg(1)
    return exp.EQ(this=exp.Right(this=text, expression=_length(suffix)), expression=suffix)


def _ends_with_substr(inv: Invocation) -> exp.Expr:
    text, suffix = inv.arg(0), inv.arg(1)
    start = trees.binary(
        exp.Add,
        trees.binary(exp.Sub, _length(text), _length(suffix)),
        trees.integer(1),
    )
    return exp.EQ(this=_substr(text, start), expression=suffix)


# --- slicing -----------------------------------------------------------------------------


def _left(inv: Invocation) -> exp.Expr:
    return exp.Left(this=inv.arg(0), expression=trees.at_least(inv.arg(1), 0))


def _left_substr(inv: Invocation) -> exp.Expr:
    return _substr(inv.arg(0), trees.integer(1), trees.at_least(inv.arg(1), 0))


def _right(inv: Invocation) -> exp.Expr:
    return exp.Right(this=inv.arg(0), expression=trees.at_least(inv.arg(1), 0))


def _right_substr(inv: Invocation) -> exp.Expr:
    text, count = inv.arg(0), trees.at_least(inv.arg(1), 0)
    start = trees.binary(exp.Add, trees.binary(exp.Sub, _length(text), count), trees.integer(1))
    return _substr(text, exp.Greatest(this=start, expressions=[trees.integer(1)]))


def _mid(inv: Invocation) -> exp.Expr:
    return _substr(inv.arg(0), trees.at_least(inv.arg(1), 1), trees.at_least(inv.arg(2), 0))


def _mid_py(text: str, start: int, length: int) -> str:
    begin = max(start, 1) - 1
    return text[begin : begin + max(length, 0)]


def _right_py(text: str, count: int) -> str:
    return text[max(len(text) - count, 0) :] if count > 0 else ""


# --- padding -----------------------------------------------------------------------------


def _pad(left: bool) -> Any:
    def build(inv: Invocation) -> exp.Expr:
        fill = inv.arg(2) if inv.has(2) else trees.text(" ")
        width = trees.at_least(inv.arg(1), 0)
        return exp.Pad(this=inv.arg(0), expression=width, fill_pattern=fill, is_left=left)

    return build


def _pad_py(left: bool) -> Any:
    def pad(text: str, width: int, fill: str = " ") -> str:
        width = max(width, 0)
        if len(text) >= width or not fill:
            return text[:width]
        filler = (fill * width)[: width - len(text)]
        return filler + text if left else text + filler

    return pad


# --- splitting and hashing -----------------------------------------------------------------


def _split_part(inv: Invocation) -> exp.Expr:
    index = inv.arg(2)
    part = exp.SplitPart(this=inv.arg(0), delimiter=inv.arg(1), part_index=index)
    return _guard_part_index(index, part)


def _split_part_bigquery(inv: Invocation) -> exp.Expr:
    index = inv.arg(2)
    pieces = trees.call("SPLIT", inv.arg(0), inv.arg(1))
    item = exp.Bracket(this=pieces, expressions=[trees.call("SAFE_ORDINAL", index)])
    return _guard_part_index(index, trees.coalesce(item, trees.text("")))


def _guard_part_index(index: exp.Expr, part: exp.Expr) -> exp.Expr:
    known = trees.literal_value(index)
    if known is not None:
        return part if known >= 1 else trees.null()
    return trees.null_if(exp.LT(this=trees.wrap(index), expression=trees.integer(1)), part)


def _split_part_py(text: str, delimiter: str, index: int) -> str | None:
    if index < 1:
        return None
    if not delimiter:
        return text if index == 1 else ""
    parts = text.split(delimiter)
    return parts[index - 1] if index <= len(parts) else ""


def _sha256(inv: Invocation) -> exp.Expr:
    return exp.SHA2(this=inv.arg(0), length=trees.integer(256))


def _sha256_postgres(inv: Invocation) -> exp.Expr:
    utf8 = trees.call("CONVERT_TO", inv.arg(0), trees.text("UTF8"))
    return trees.call("ENCODE", trees.call("SHA256", utf8), trees.text("hex"))


def _sha256_bigquery(inv: Invocation) -> exp.Expr:
    return trees.call("TO_HEX", trees.call("SHA256", inv.arg(0)))


def _replace_sqlite(inv: Invocation) -> exp.Expr:
    # SQLite's REPLACE with an empty search returns the text even for a Null replacement.
    replaced = trees.call("REPLACE", *inv.args)
    replacement = inv.irs[2]
    if isinstance(replacement, Const) and replacement.value is not None:
        return replaced
    return trees.null_if(trees.is_null(inv.arg(2).copy()), replaced)


def _proper_duckdb(inv: Invocation) -> exp.Expr:
    """DuckDB has no INITCAP: capitalise each run of letters and digits.

    The text appears once (sqlglot's own emulation repeats it, which would repeat a
    bound parameter); runs of other characters pass through unchanged.
    """
    segment = exp.to_identifier("w")
    capitalised = trees.binary(
        exp.DPipe,
        exp.Upper(this=exp.Left(this=segment.copy(), expression=trees.integer(1))),
        exp.Lower(this=exp.Substring(this=segment.copy(), start=trees.integer(2))),
    )
    runs = trees.call("REGEXP_EXTRACT_ALL", inv.arg(0), trees.text(r"[\pL\pN]+|[^\pL\pN]+"))
    words = trees.call("LIST_TRANSFORM", runs, exp.Lambda(this=capitalised, expressions=[segment]))
    return trees.call("ARRAY_TO_STRING", words, trees.text(""))


def _proper_py(text: str) -> str:
    out: list[str] = []
    word = False
    for ch in text:
        out.append((ch.lower() if word else ch.upper()) if ch.isalnum() else ch)
        word = ch.isalnum()
    return "".join(out)


_TEXT = "text: text"
_TWO = "text: text, search: text"

FUNCTIONS: dict[str, Function] = registry(
    function(
        "Concat",
        "text",
        "values: any+",
        t.TEXT,
        concat_sql,
        evaluate=concat_py,
        strict=False,
        wants_types=True,
        summary="The values joined as text; Null counts as empty text (like &).",
        example='Concat([First], " ", [Last])',
    ),
    function(
        "Contains",
        "text",
        _TWO,
        t.LOGICAL,
        lambda inv: exp.GT(this=_strpos(inv), expression=trees.integer(0)),
        evaluate=lambda text, search: search in text,
        summary="True when search occurs in text (case-sensitive).",
        example='Contains([Stage], "won")',
    ),
    function(
        "StartsWith",
        "text",
        _TWO,
        t.LOGICAL,
        _starts_with,
        dialects={"sqlite": _starts_with_substr, "redshift": _starts_with_substr},
        evaluate=lambda text, search: text.startswith(search),
        summary="True when text begins with search.",
        example='StartsWith([SKU], "A-")',
    ),
    function(
        "EndsWith",
        "text",
        _TWO,
        t.LOGICAL,
        _ends_with,
        dialects={
            "sqlite": _ends_with_substr,
            "postgres": _ends_with_right,
            "redshift": _ends_with_right,
        },
        evaluate=lambda text, search: text.endswith(search),
        summary="True when text ends with search.",
        example='EndsWith([Email], ".org")',
    ),
    function(
        "Find",
        "text",
        _TWO,
        t.INTEGER,
        _strpos,
        evaluate=lambda text, search: text.find(search) + 1,
        summary="The one-based position of search in text; 0 when absent.",
        example='Find([Email], "@")',
    ),
    function(
        "Left",
        "text",
        "text: text, count: integer",
        t.TEXT,
        _left,
        dialects={"sqlite": _left_substr},
        evaluate=lambda s, n: s[: max(n, 0)],
        summary="The first count characters.",
        example="Left([SKU], 3)",
    ),
    function(
        "Right",
        "text",
        "text: text, count: integer",
        t.TEXT,
        _right,
        dialects={"sqlite": _right_substr},
        evaluate=_right_py,
        summary="The last count characters.",
        example="Right([Phone], 4)",
    ),
    function(
        "Mid",
        "text",
        "text: text, start: integer, length: integer",
        t.TEXT,
        _mid,
        evaluate=_mid_py,
        summary="length characters from the one-based position start.",
        example="Mid([SKU], 3, 2)",
    ),
    function(
        "Len",
        "text",
        _TEXT,
        t.INTEGER,
        lambda inv: _length(inv.arg(0)),
        evaluate=len,
        summary="The number of characters.",
        example="Len([Name])",
    ),
    function(
        "Lower",
        "text",
        _TEXT,
        t.TEXT,
        lambda inv: exp.Lower(this=inv.arg(0)),
        evaluate=str.lower,
        summary="The text in lower case.",
        example="Lower([Email])",
    ),
    function(
        "Upper",
        "text",
        _TEXT,
        t.TEXT,
        lambda inv: exp.Upper(this=inv.arg(0)),
        evaluate=str.upper,
        summary="The text in upper case.",
        example="Upper([Code])",
    ),
    function(
        "Proper",
        "text",
        _TEXT,
        t.TEXT,
        lambda inv: exp.Initcap(this=inv.arg(0)),
        dialects={"duckdb": _proper_duckdb},
        evaluate=_proper_py,
        unsupported={"sqlite": "SQLite has no INITCAP"},
        summary="Each word capitalised, the rest in lower case.",
        example="Proper([Name])",
    ),
    function(
        "Trim",
        "text",
        _TEXT,
        t.TEXT,
        lambda inv: exp.Trim(this=inv.arg(0)),
        evaluate=lambda s: s.strip(" "),
        summary="The text without leading and trailing spaces.",
        example="Trim([Name])",
    ),
    function(
        "LTrim",
        "text",
        _TEXT,
        t.TEXT,
        lambda inv: exp.Trim(this=inv.arg(0), position="LEADING"),
        evaluate=lambda s: s.lstrip(" "),
        summary="The text without leading spaces.",
        example="LTrim([Name])",
    ),
    function(
        "RTrim",
        "text",
        _TEXT,
        t.TEXT,
        lambda inv: exp.Trim(this=inv.arg(0), position="TRAILING"),
        evaluate=lambda s: s.rstrip(" "),
        summary="The text without trailing spaces.",
        example="RTrim([Name])",
    ),
    function(
        "LPad",
        "text",
        "text: text, length: integer, fill: text?",
        t.TEXT,
        _pad(True),
        evaluate=_pad_py(True),
        unsupported={"sqlite": "SQLite has no LPAD"},
        summary="The text padded on the left (with spaces, or fill) to length; "
        "longer text is cut to length.",
        example='LPad(Text([Id]), 6, "0")',
    ),
    function(
        "RPad",
        "text",
        "text: text, length: integer, fill: text?",
        t.TEXT,
        _pad(False),
        evaluate=_pad_py(False),
        unsupported={"sqlite": "SQLite has no RPAD"},
        summary="The text padded on the right to length; longer text is cut.",
        example='RPad([Code], 5, "-")',
    ),
    function(
        "Replace",
        "text",
        "text: text, search: text, replacement: text",
        t.TEXT,
        lambda inv: trees.call("REPLACE", *inv.args),
        dialects={"sqlite": _replace_sqlite},
        evaluate=lambda s, old, new: s.replace(old, new) if old else s,
        summary="The text with every occurrence of search replaced.",
        example='Replace([Phone], "-", "")',
    ),
    function(
        "SplitPart",
        "text",
        "text: text, delimiter: text, index: integer",
        t.TEXT,
        _split_part,
        dialects={"bigquery": _split_part_bigquery},
        evaluate=_split_part_py,
        unsupported={"sqlite": "SQLite has no SPLIT_PART"},
        summary="The index-th (from 1) piece of text split at delimiter; empty text past "
        "the last piece, Null for an index below 1.",
        example='SplitPart([Email], "@", 2)',
    ),
    function(
        "MD5",
        "text",
        _TEXT,
        t.TEXT,
        lambda inv: exp.MD5(this=inv.arg(0)),
        evaluate=lambda s: hashlib.md5(s.encode()).hexdigest(),
        unsupported={"sqlite": "SQLite has no MD5"},
        summary="The MD5 digest of the UTF-8 text, as lower-case hex.",
        example="MD5([Email])",
    ),
    function(
        "SHA256",
        "text",
        _TEXT,
        t.TEXT,
        _sha256,
        dialects={"postgres": _sha256_postgres, "bigquery": _sha256_bigquery},
        evaluate=lambda s: hashlib.sha256(s.encode()).hexdigest(),
        unsupported={"sqlite": "SQLite has no SHA-256"},
        summary="The SHA-256 digest of the UTF-8 text, as lower-case hex.",
        example="SHA256([Email])",
    ),
)
