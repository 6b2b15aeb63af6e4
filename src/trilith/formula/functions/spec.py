"""How a formula function is described: one `Function` record per name.

A function states its parameters as a small signature (`"text: text, count: integer?"`),
its result type (a type name or a rule over the argument types), a generic builder of the
sqlglot tree, per-dialect builders where a warehouse needs another tree, the dialects that
cannot run it (with the reason), and a Python implementation for the evaluator.

Signature entries are `name: kind` where kind is a formula type or `any`, followed by `?`
(optional), `*` (zero or more) or `+` (one or more); a kind prefixed with `=` must be a
constant: a literal, or a control or variable value known when the formula compiles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.errors import FormulaError
from trilith.formula.ir import IR, Bound, Const

if TYPE_CHECKING:
    from trilith.formula.scope import Scope

__all__ = [
    "ArgumentError",
    "Builder",
    "Function",
    "Invocation",
    "Param",
    "common",
    "function",
    "numeric",
    "registry",
]

Builder = Callable[["Invocation"], exp.Expr]
TypeRule = Callable[[Sequence[str]], str]
Validator = Callable[[Sequence["IR"]], None]
Folder = Callable[[Sequence["IR"], "Scope"], "IR | None"]
Kind = Literal["scalar", "aggregate", "window"]


class ArgumentError(Exception):
    """Raised by type rules and validators; the checker points it at argument `index`."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: str
    optional: bool = False
    repeat: bool = False
    constant: bool = False

    def describe(self) -> str:
        text = self.name + ("…" if self.repeat else "")
        return f"[{text}]" if self.optional else text


_ENTRY = re.compile(r"^(\w+):\s*(=?)(\w+)([?*+]?)$")


def parse_signature(signature: str) -> tuple[Param, ...]:
    params: list[Param] = []
    for entry in filter(None, (e.strip() for e in signature.split(","))):
        match = _ENTRY.match(entry)
        if match is None:
            raise ValueError(f"bad signature entry {entry!r}")
        name, constant, kind, mark = match.groups()
        if kind != "any" and kind not in t.TYPES:
            raise ValueError(f"unknown parameter kind {kind!r} in {signature!r}")
        optional, repeat = mark in ("?", "*"), mark in ("*", "+")
        params.append(Param(name, kind, optional, repeat, bool(constant)))
    return tuple(params)


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    family: str
    params: tuple[Param, ...]
    returns: str | TypeRule
    build: Builder
    evaluate: Callable[..., Any] | None = None
    dialects: Mapping[str, Builder] = field(default_factory=dict)
    unsupported: Mapping[str, str] = field(default_factory=dict)
    kind: Kind = "scalar"
    # Evaluator: a null argument makes a null result without calling `evaluate`.
    strict: bool = True
    # Evaluator: `evaluate(types, *values)` instead of `evaluate(*values)`.
    wants_types: bool = False
    validate: Validator | None = None
    # Replaces a call by a constant when its arguments allow (Date("2024-01-31")).
    fold: Folder | None = None
    # What to do instead, by the type of a rejected argument ("join text with &").
    hints: Mapping[str, str] = field(default_factory=dict)
    usage: str = ""  # the signature as documented, when the parameters cannot say it
    summary: str = ""
    example: str = ""

    @property
    def label(self) -> str:
        if self.family != "operator":
            return self.name
        return "unary -" if self.name == "neg" else f"operator {self.name}"

    @property
    def signature(self) -> str:
        if self.usage:
            return self.usage
        return f"{self.name}({', '.join(p.describe() for p in self.params)})"

    # Derived from `params` once, in __post_init__.
    min_args: int = field(init=False, default=0)
    max_args: int | None = field(init=False, default=None)
    _repeat: int | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        repeat = next((i for i, p in enumerate(self.params) if p.repeat), None)
        object.__setattr__(self, "_repeat", repeat)
        object.__setattr__(self, "min_args", sum(1 for p in self.params if not p.optional))
        object.__setattr__(self, "max_args", None if repeat is not None else len(self.params))

    def param_for(self, index: int, count: int) -> Param:
        """The parameter that argument `index` (of `count` arguments) binds to."""
        repeat = self._repeat
        if repeat is None or index < repeat:
            return self.params[index]
        after = len(self.params) - repeat - 1
        if index >= count - after:
            return self.params[len(self.params) - (count - index)]
        return self.params[repeat]

    def builder_for(self, dialect: str) -> Builder:
        return self.dialects.get(dialect, self.build)


def function(
    name: str,
    family: str,
    signature: str,
    returns: str | TypeRule,
    build: Builder,
    **options: Any,
) -> Function:
    return Function(name, family, parse_signature(signature), returns, build, **options)


def registry(*functions: Function) -> dict[str, Function]:
    table: dict[str, Function] = {}
    for fn in functions:
        if fn.name in table:
            raise ValueError(f"function {fn.name} is registered twice")
        table[fn.name] = fn
    return table


class Invocation:
    """One call being compiled: its arguments (compiled on first use) and context."""

    __slots__ = (
        "_bind",
        "_compile",
        "_compiled",
        "dialect",
        "fn",
        "irs",
        "offset",
        "scope",
        "type",
    )

    def __init__(
        self,
        fn: Function,
        irs: Sequence[IR],
        result_type: str,
        dialect: str,
        scope: Scope,
        offset: int,
        compile_arg: Callable[[IR], exp.Expr],
        bind: Callable[[str, Any, str], exp.Expr],
    ) -> None:
        self.fn = fn
        self.irs = irs
        self.type = result_type
        self.dialect = dialect
        self.scope = scope
        self.offset = offset
        self._compile = compile_arg
        self._bind = bind
        self._compiled: list[exp.Expr | None] = [None] * len(irs)

    def arg(self, index: int) -> exp.Expr:
        compiled = self._compiled[index]
        if compiled is None:
            compiled = self._compile(self.irs[index])
            self._compiled[index] = compiled
        return compiled

    @property
    def args(self) -> list[exp.Expr]:
        return [self.arg(i) for i in range(len(self.irs))]

    def arg_type(self, index: int) -> str:
        return self.irs[index].type

    def has(self, index: int) -> bool:
        return index < len(self.irs)

    def constant(self, index: int) -> Any:
        return constant_value(self.irs[index])

    def derived(self, index: int, value: str, suffix: str) -> exp.Expr:
        """Text computed from constant argument `index` (a LIKE pattern as a GLOB): a
        literal when the argument was one, else a parameter of its own, as values are."""
        ir = self.irs[index]
        if isinstance(ir, Bound):
            return self._bind(f"{ir.key}_{suffix}", value, t.TEXT)
        return exp.Literal.string(value)

    def fail(self, message: str) -> FormulaError:
        return FormulaError(message, offset=self.offset)


def constant_value(ir: IR) -> Any:
    if isinstance(ir, Const | Bound):
        return ir.value
    raise FormulaError("expected a constant", offset=ir.offset)


def numeric(types: Sequence[str]) -> str:
    """`integer` when every argument is an integer (or null), else `number`."""
    present = [ty for ty in types if ty != t.NULL]
    return t.INTEGER if present and all(ty == t.INTEGER for ty in present) else t.NUMBER


def common(indices: Callable[[int], Sequence[int]] | None = None, what: str = "values") -> TypeRule:
    """The type all chosen arguments fit in; a mismatch names the first misfit."""

    def rule(types: Sequence[str]) -> str:
        chosen = indices(len(types)) if indices else range(len(types))
        result = t.NULL
        for index in chosen:
            merged = t.unify(result, types[index])
            if merged is None:
                others = "the other operand is" if what == "operand" else f"the other {what} are"
                raise ArgumentError(index, f"is {types[index]} but {others} {result}")
            result = merged
        return result

    return rule
