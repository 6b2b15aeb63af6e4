"""The type checker: a syntax tree and a scope in, the checked form (`ir`) out.

It resolves references, looks functions up, checks argument counts, kinds and constants,
computes result types, refuses an aggregate inside an aggregate, and folds what is known
(`Date("2024-01-31")`, `-7`, `CurrentUserEmail()`). Every error carries the offset of the
offending text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from trilith.formula import ast
from trilith.formula import types as t
from trilith.formula.errors import FormulaError, suggest
from trilith.formula.functions import FUNCTIONS, OPERATORS, lookup
from trilith.formula.functions.conversion import TO_INTEGER, TYPED_NULL
from trilith.formula.functions.spec import ArgumentError, Function
from trilith.formula.ir import IR, Apply, Bound, Const
from trilith.formula.references import Resolver
from trilith.formula.scope import Scope

__all__ = ["check"]


def check(node: ast.Node, scope: Scope) -> IR:
    return _Checker(scope).check(node)


def _article(kind: str) -> str:
    if kind == "any":
        return "a value"
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def _literal_type(value: object) -> str:
    return t.type_of_value(value)


class _Checker:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.resolver = Resolver(scope)
        self._dispatch: dict[type[ast.Node], Callable[[ast.Node], IR]] = {
            ast.Literal: self._literal,  # type: ignore[dict-item]
            ast.Reference: self.resolver.resolve,  # type: ignore[dict-item]
            ast.Unary: self._unary,  # type: ignore[dict-item]
            ast.Binary: self._binary,  # type: ignore[dict-item]
            ast.Call: self._call,  # type: ignore[dict-item]
        }

    def check(self, node: ast.Node) -> IR:
        return self._dispatch[type(node)](node)

    def _literal(self, node: ast.Literal) -> IR:
        return Const(node.value, _literal_type(node.value), node.offset)

    def _unary(self, node: ast.Unary) -> IR:
        return self.apply(OPERATORS[node.op], [self.check(node.operand)], node.offset)

    def _binary(self, node: ast.Binary) -> IR:
        args = [self.check(node.left), self.check(node.right)]
        return self.apply(OPERATORS[node.op], args, node.offset)

    def _call(self, node: ast.Call) -> IR:
        fn = lookup(node.name)
        if fn is None:
            near = suggest(node.name, FUNCTIONS)
            hint = f"; did you mean {' or '.join(near)}?" if near else ""
            raise FormulaError(
                f"unknown function {node.name}{hint}", offset=node.offset, suggestions=near
            )
        return self.apply(fn, [self.check(arg) for arg in node.args], node.offset)

    # --- applying a function ----------------------------------------------------------------

    def apply(self, fn: Function, args: list[IR], offset: int) -> IR:
        self._arity(fn, len(args), offset)
        for index in range(len(args)):
            args[index] = self._argument(fn, index, args, offset)
        try:
            if fn.validate is not None:
                fn.validate(args)
            result = (
                fn.returns if isinstance(fn.returns, str) else fn.returns([a.type for a in args])
            )
        except ArgumentError as exc:
            raise self._argument_error(fn, args, exc.index, exc.message, offset) from None
        aggregate, window = self._nesting(fn, args, offset)
        if result == t.NULL and fn.kind == "scalar":
            # Only Nulls in, only Null out (Greatest(Null, Null)): a literal Null, whose
            # type the warehouse infers from where it stands.
            return Const(None, t.NULL, offset)
        if fn.fold is not None:
            try:
                folded = fn.fold(args, self.scope)
            except ArgumentError as exc:
                raise self._argument_error(fn, args, exc.index, exc.message, offset) from None
            if folded is not None:
                return self._placed(folded, offset)
        return Apply(fn, tuple(args), result, offset, aggregate, window)

    def _arity(self, fn: Function, count: int, offset: int) -> None:
        low, high = fn.min_args, fn.max_args
        if low <= count and (high is None or count <= high):
            return
        if high is None:
            expected = f"at least {low} argument{'s' if low != 1 else ''}"
        elif low == high:
            expected = f"{low} argument{'s' if low != 1 else ''}" if low else "no arguments"
        else:
            expected = f"{low} to {high} arguments"
        raise FormulaError(
            f"{fn.label} takes {expected}, got {count}: {fn.signature}", offset=offset
        )

    def _argument(self, fn: Function, index: int, args: Sequence[IR], offset: int) -> IR:
        arg = args[index]
        param = fn.param_for(index, len(args))
        if not t.accepts(param.kind, arg.type):
            hint = fn.hints.get(arg.type) or fn.hints.get(
                t.DATE if arg.type == t.DATETIME else arg.type, ""
            )
            message = f"expects {_article(param.kind)} for {param.name}, got {arg.type}"
            raise self._argument_error(
                fn, args, index, message + (f" ({hint})" if hint else ""), offset, plain=True
            )
        if param.constant and not isinstance(arg, Const | Bound):
            raise self._argument_error(
                fn,
                args,
                index,
                f"needs a constant {param.name}: a literal, or a control or variable value",
                offset,
                plain=True,
            )
        if arg.type == t.NULL and param.kind in _TYPED_NULLS:
            # Null where a number is expected is a number: typed, so no warehouse guesses.
            if isinstance(arg, Const):
                return Const(None, param.kind, arg.offset)
            return Apply(TYPED_NULL[param.kind], (arg,), param.kind, arg.offset)
        if param.kind == t.INTEGER and arg.type == t.NUMBER:
            return Apply(TO_INTEGER, (arg,), t.INTEGER, arg.offset, _aggregate(arg), _window(arg))
        return arg

    def _argument_error(
        self,
        fn: Function,
        args: Sequence[IR],
        index: int,
        message: str,
        offset: int,
        *,
        plain: bool = False,
    ) -> FormulaError:
        where = args[index].offset if index < len(args) else offset
        if plain:
            return FormulaError(f"{fn.label} {message}", offset=where)
        if fn.family == "operator" and index < len(args):
            name = f"the {fn.param_for(index, len(args)).name} operand"
        else:
            name = f"argument {index + 1}"
        return FormulaError(f"{fn.label}: {name} {message}", offset=where)

    def _nesting(self, fn: Function, args: Sequence[IR], offset: int) -> tuple[bool, bool]:
        inner_aggregate = inner_window = False
        for arg in args:
            if isinstance(arg, Apply):
                inner_aggregate = inner_aggregate or arg.aggregate
                inner_window = inner_window or arg.window
        if fn.kind == "aggregate" and inner_aggregate:
            raise FormulaError(
                f"{fn.label} cannot contain another aggregate; aggregate row values",
                offset=offset,
            )
        if fn.kind == "aggregate" and inner_window:
            raise FormulaError(f"{fn.label} cannot contain a window function", offset=offset)
        return fn.kind == "aggregate" or inner_aggregate, fn.kind == "window" or inner_window

    def _placed(self, folded: IR, offset: int) -> IR:
        if isinstance(folded, Bound | Const) and folded.offset != offset:
            return dataclasses.replace(folded, offset=offset)
        return folded


_TYPED_NULLS = frozenset(TYPED_NULL)


def _aggregate(ir: IR) -> bool:
    return isinstance(ir, Apply) and ir.aggregate


def _window(ir: IR) -> bool:
    return isinstance(ir, Apply) and ir.window
