"""Pattern functions: regular expressions and SQL LIKE.

Regular-expression patterns must be constants (a literal, or a control or variable value)
so they are checked before the query runs; each warehouse then applies its own regex
dialect (RE2, POSIX, Java), which agree on the common syntax. LIKE is case-sensitive on
every engine, with `\\` as its escape character.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.functions import trees
from trilith.formula.functions.spec import (
    ArgumentError,
    Function,
    Invocation,
    function,
    registry,
)
from trilith.formula.ir import IR, Bound, Const

__all__ = ["FUNCTIONS", "like_regex"]

NO_REGEX = "SQLite has no regular expressions"


# --- regular expressions -------------------------------------------------------------------


def _check_pattern(index: int) -> Any:
    def validate(irs: Sequence[IR]) -> None:
        pattern = irs[index]
        if not isinstance(pattern, Const | Bound) or pattern.value is None:
            return
        try:
            re.compile(pattern.value)
        except re.error as exc:
            raise ArgumentError(index, f"is not a valid regular expression: {exc}") from None

    return validate


def _regexp_match(inv: Invocation) -> exp.Expr:
    return exp.RegexpLike(this=inv.arg(0), expression=inv.arg(1))


def _regexp_instr(inv: Invocation) -> exp.Expr:
    # Snowflake's REGEXP_LIKE matches the whole text; REGEXP_INSTR searches like the others.
    found = trees.call("REGEXP_INSTR", inv.arg(0), inv.arg(1))
    return exp.GT(this=found, expression=trees.integer(0))


def _group(inv: Invocation) -> int:
    """First capture group when the pattern has one, else the whole match."""
    pattern = inv.constant(1)
    return 1 if pattern is not None and re.compile(pattern).groups else 0


def _extract_when_matched(inv: Invocation, extract: exp.Expr) -> exp.Expr:
    return trees.case((exp.RegexpLike(this=inv.arg(0), expression=inv.arg(1)), extract))


def _regexp_extract(inv: Invocation) -> exp.Expr:
    extract = trees.call("REGEXP_EXTRACT", inv.arg(0), inv.arg(1), trees.integer(_group(inv)))
    return _extract_when_matched(inv, extract)


def _regexp_extract_postgres(inv: Invocation) -> exp.Expr:
    # SUBSTRING(text, pattern) is exactly the rule: first group if any, else the match.
    return trees.call("SUBSTRING", inv.arg(0), inv.arg(1))


def _regexp_substr(inv: Invocation) -> exp.Expr:
    group = _group(inv)
    args = [inv.arg(0), inv.arg(1), trees.integer(1), trees.integer(1)]
    if group:
        args += [trees.text("e"), trees.integer(group)]
    return trees.call("REGEXP_SUBSTR", *args)


def _regexp_substr_redshift(inv: Invocation) -> exp.Expr:
    args = [inv.arg(0), inv.arg(1), trees.integer(1), trees.integer(1)]
    if _group(inv):
        args.append(trees.text("e"))
    return trees.nullif(trees.call("REGEXP_SUBSTR", *args), trees.text(""))


def _regexp_extract_bigquery(inv: Invocation) -> exp.Expr:
    return trees.call("REGEXP_EXTRACT", inv.arg(0), inv.arg(1))


def _regexp_extract_py(text: str, pattern: str) -> str | None:
    match = re.search(pattern, text)
    if match is None:
        return None
    return match.group(1 if match.re.groups else 0)


def _regexp_replace(inv: Invocation) -> exp.Expr:
    return exp.RegexpReplace(this=inv.arg(0), expression=inv.arg(1), replacement=inv.arg(2))


def _regexp_replace_plain(inv: Invocation) -> exp.Expr:
    # Redshift's fourth argument is a position, not flags; it replaces every match anyway.
    return trees.call("REGEXP_REPLACE", inv.arg(0), inv.arg(1), inv.arg(2))


# --- LIKE ----------------------------------------------------------------------------------


def like_regex(pattern: str, *, glob: bool = False) -> str:
    """A LIKE pattern (`%`, `_`, backslash escapes) as a Python regex or a SQLite GLOB."""
    out: list[str] = []
    chars = iter(pattern)
    for ch in chars:
        if ch == "\\":
            literal = next(chars, "\\")
            out.append(f"[{literal}]" if glob and literal in "*?[" else literal)
            if not glob:
                out[-1] = re.escape(literal)
        elif ch == "%":
            out.append("*" if glob else ".*")
        elif ch == "_":
            out.append("?" if glob else ".")
        elif glob:
            out.append(f"[{ch}]" if ch in "*?[" else ch)
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _like(cls: type[exp.Binary]) -> Any:
    def build(inv: Invocation) -> exp.Expr:
        return exp.Escape(
            this=cls(this=trees.wrap(inv.arg(0)), expression=inv.arg(1)),
            expression=trees.text("\\"),
        )

    return build


def _like_bigquery(cls: type[exp.Binary]) -> Any:
    # BigQuery escapes with a backslash already and has no ESCAPE clause.
    return lambda inv: cls(this=trees.wrap(inv.arg(0)), expression=inv.arg(1))


def _like_sqlite(inv: Invocation) -> exp.Expr:
    # SQLite's LIKE ignores case; GLOB respects it, so a constant pattern becomes a GLOB.
    ir = inv.irs[1]
    if not isinstance(ir, Const | Bound):
        raise inv.fail("Like on sqlite needs a constant pattern (SQLite's LIKE ignores case)")
    if ir.value is None:
        return trees.null()
    glob = inv.derived(1, like_regex(ir.value, glob=True), "glob")
    return exp.Glob(this=trees.wrap(inv.arg(0)), expression=glob)


def _like_py(flags: int) -> Any:
    def match(text: str, pattern: str) -> bool:
        return re.fullmatch(like_regex(pattern), text, flags | re.DOTALL) is not None

    return match


FUNCTIONS: dict[str, Function] = registry(
    function(
        "RegexpMatch",
        "text",
        "text: text, pattern: =text",
        t.LOGICAL,
        _regexp_match,
        dialects={"snowflake": _regexp_instr},
        validate=_check_pattern(1),
        evaluate=lambda s, p: re.search(p, s) is not None,
        unsupported={"sqlite": NO_REGEX},
        summary="True when the regular expression matches somewhere in text.",
        example='RegexpMatch([Email], "@example\\\\.com$")',
    ),
    function(
        "RegexpExtract",
        "text",
        "text: text, pattern: =text",
        t.TEXT,
        _regexp_extract,
        dialects={
            "postgres": _regexp_extract_postgres,
            "snowflake": _regexp_substr,
            "redshift": _regexp_substr_redshift,
            "bigquery": _regexp_extract_bigquery,
        },
        validate=_check_pattern(1),
        evaluate=_regexp_extract_py,
        unsupported={"sqlite": NO_REGEX},
        summary="The first capture group of the first match (the whole match when the "
        "pattern has no group); Null when nothing matches.",
        example='RegexpExtract([Email], "@(.*)$")',
    ),
    function(
        "RegexpReplace",
        "text",
        "text: text, pattern: =text, replacement: text",
        t.TEXT,
        _regexp_replace,
        dialects={"redshift": _regexp_replace_plain},
        validate=_check_pattern(1),
        evaluate=lambda s, p, r: re.sub(p, r, s),
        unsupported={"sqlite": NO_REGEX},
        summary="The text with every match replaced (\\1 refers to a group).",
        example='RegexpReplace([Phone], "[^0-9]", "")',
    ),
    function(
        "Like",
        "text",
        "text: text, pattern: text",
        t.LOGICAL,
        _like(exp.Like),
        dialects={"sqlite": _like_sqlite, "bigquery": _like_bigquery(exp.Like)},
        evaluate=_like_py(0),
        summary="SQL LIKE, case-sensitive: % any text, _ one character, \\ escapes.",
        example='Like([SKU], "A-%")',
    ),
    function(
        "ILike",
        "text",
        "text: text, pattern: text",
        t.LOGICAL,
        _like(exp.ILike),
        dialects={"bigquery": _like_bigquery(exp.ILike)},
        evaluate=_like_py(re.IGNORECASE),
        summary="Like, ignoring case.",
        example='ILike([Name], "%smith%")',
    ),
)
