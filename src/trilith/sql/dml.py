"""DML builders shared by the stores."""

from __future__ import annotations

from collections.abc import Iterable

from sqlglot import exp

from trilith.sql.render import param

__all__ = ["insert_values"]


def insert_values(target: exp.Table, columns: Iterable[str]) -> exp.Insert:
    """`INSERT INTO target (c1, c2 …) SELECT :c1, :c2 …`: bind a dict keyed by column."""
    names = list(columns)
    return exp.insert(exp.select(*(param(c) for c in names)), target, columns=names)
