"""Admin-written SQL read as one read-only query.

App specs may declare SQL sources (`sources: [{id, sql}]`) that elements read like
tables. Their text is parsed once into a sqlglot tree; it must be a single query
(SELECT, a set operation, or WITH … SELECT) that writes nothing, and its `:name`
placeholders are the only values it takes, bound as parameters.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

__all__ = ["parse_query", "placeholders"]

# sqlglot names the offending token by its repr; say its text instead.
_TOKEN = re.compile(r"<Token token_type: [^,]+, text: (.*?), line: [^>]*>")

# Anything that changes data or schema, anywhere in the tree (a data-modifying CTE too).
_WRITES: tuple[type[exp.Expr], ...] = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.TruncateTable,
    exp.Command,
    exp.Into,
)


def parse_query(sql: str, dialect: str | None = None) -> exp.Query:
    """The query `sql` holds, or ValueError naming why it is not one read-only query."""
    try:
        parsed = [tree for tree in sqlglot.parse(sql, read=dialect) if tree is not None]
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f" (line {first.get('line')}, column {first.get('col')})" if first else ""
        said = _TOKEN.sub(r"'\1'", str(first.get("description", exc)))
        raise ValueError(f"the SQL does not parse{where}: {said}") from None
    if len(parsed) != 1:
        raise ValueError(f"the SQL must be one query; it holds {len(parsed)} statements")
    (tree,) = parsed
    if not isinstance(tree, exp.Query):
        raise ValueError(f"the SQL must be a query (SELECT …), not {tree.key.upper()}")
    for node in tree.walk():
        if isinstance(node, _WRITES):
            raise ValueError(f"the SQL must only read; it holds {node.key.upper()}")
    return tree


def placeholders(tree: exp.Expr) -> list[str]:
    """The names of the `:name` placeholders of `tree`, in order, once each."""
    names = [str(node.this) for node in tree.find_all(exp.Placeholder) if node.this]
    return list(dict.fromkeys(names))
