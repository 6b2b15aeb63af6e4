"""The compiler: a checked formula to one sqlglot expression for one dialect.

Columns become quoted column references; every value known at compile time (controls,
variables, selections, the user) becomes a named placeholder, cast to its type, with its
value in `CompiledFormula.params`. Literals written in the formula are SQL literals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.checker import check
from trilith.formula.errors import FormulaError
from trilith.formula.functions import trees
from trilith.formula.functions.conversion import date_literal
from trilith.formula.functions.spec import Invocation
from trilith.formula.ir import IR, Apply, Bound, ColumnRef, Const
from trilith.formula.parser import parse
from trilith.formula.scope import Scope
from trilith.sql.render import param

__all__ = ["DEFAULT_DIALECT", "DIALECTS", "CompiledFormula", "compile_formula", "to_sql"]

DEFAULT_DIALECT = "duckdb"
DIALECTS = ("duckdb", "sqlite", "postgres", "snowflake", "databricks", "bigquery", "redshift")


@dataclass(frozen=True, slots=True)
class CompiledFormula:
    expression: exp.Expr
    params: dict[str, Any]
    type: str
    dialect: str = DEFAULT_DIALECT
    # Columns read, as (element alias or None, name).
    columns: frozenset[tuple[str | None, str]] = field(default_factory=frozenset)
    is_aggregate: bool = False
    is_window: bool = False

    def sql(self) -> str:
        """The SQL text with sqlglot's named placeholders for the dialect."""
        return self.expression.sql(dialect=self.dialect)


def compile_formula(
    text: str, scope: Scope | None = None, dialect: str | None = None
) -> CompiledFormula:
    """Parse, check and compile a formula; `dialect` defaults to DuckDB's."""
    scope = scope if scope is not None else Scope()
    dialect = dialect or DEFAULT_DIALECT
    if dialect not in DIALECTS:
        raise FormulaError(f"unknown dialect {dialect!r}; known: {', '.join(DIALECTS)}")
    try:
        ir = check(parse(text), scope)
        compiler = _Compiler(scope, dialect)
        expression = _unshared(compiler.compile(ir))
    except FormulaError as exc:
        raise exc.located(text) from None
    is_apply = isinstance(ir, Apply)
    return CompiledFormula(
        expression,
        compiler.params,
        ir.type,
        dialect,
        frozenset(compiler.columns),
        is_apply and ir.aggregate,  # type: ignore[union-attr]
        is_apply and ir.window,  # type: ignore[union-attr]
    )


def to_sql(text: str, scope: Scope | None, dialect: str) -> tuple[str, dict[str, Any]]:
    compiled = compile_formula(text, scope, dialect)
    return compiled.sql(), compiled.params


def _unshared(tree: exp.Expr) -> exp.Expr:
    """The tree with no node in two places (builders reuse an argument in a guard and in
    the result); a shared node has one parent pointer, which tree rewrites would trust."""
    seen: set[int] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return tree.copy()
        seen.add(id(node))
        for value in node.args.values():
            if isinstance(value, exp.Expr):
                stack.append(value)
            elif type(value) is list:
                stack.extend(item for item in value if isinstance(item, exp.Expr))
    return tree


class _Compiler:
    def __init__(self, scope: Scope, dialect: str) -> None:
        self.scope = scope
        self.dialect = dialect
        self.params: dict[str, Any] = {}
        self.columns: set[tuple[str | None, str]] = set()
        self._dispatch: dict[type, Callable[[Any], exp.Expr]] = {
            Const: self._const,
            ColumnRef: self._column,
            Bound: self._bound,
            Apply: self._apply,
        }

    def compile(self, ir: IR) -> exp.Expr:
        return self._dispatch[type(ir)](ir)

    def _const(self, ir: Const) -> exp.Expr:
        value = ir.value
        if value is None:
            sql_type = t.sql_type(ir.type)
            return exp.Cast(this=exp.Null(), to=sql_type) if sql_type is not None else exp.Null()
        if isinstance(value, bool):
            return exp.Boolean(this=value)
        if isinstance(value, int | float):
            return trees.number(value)
        if isinstance(value, dt.date):
            return date_literal(value)
        return exp.Literal.string(str(value))

    def _column(self, ir: ColumnRef) -> exp.Expr:
        self.columns.add((ir.table, ir.name))
        table = exp.Identifier(this=ir.table, quoted=True) if ir.table is not None else None
        return exp.Column(this=exp.Identifier(this=ir.name, quoted=True), table=table)

    def _bound(self, ir: Bound) -> exp.Expr:
        if ir.value is None and ir.type == t.NULL:
            return exp.Null()
        return self.bind(ir.key, ir.value, ir.type)

    def bind(self, key: str, value: Any, type_: str) -> exp.Expr:
        self.params[key] = value
        placeholder = param(key)
        sql_type = t.sql_type(type_)
        return exp.Cast(this=placeholder, to=sql_type) if sql_type is not None else placeholder

    def _apply(self, ir: Apply) -> exp.Expr:
        fn = ir.fn
        reason = fn.unsupported.get(self.dialect)
        if reason is not None:
            raise FormulaError(
                f"{fn.label} is not supported on {self.dialect}: {reason}", offset=ir.offset
            )
        invocation = Invocation(
            fn, ir.args, ir.type, self.dialect, self.scope, ir.offset, self.compile, self.bind
        )
        return fn.builder_for(self.dialect)(invocation)
