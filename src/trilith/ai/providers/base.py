"""Providers: each turns an `AIQuery` into one SQL expression for its warehouse.

A provider is a table from function name to a builder; a builder returns the expression
(a sqlglot tree with named placeholders) and the values bound to them. Nothing of the
prompt ever enters SQL text. A function missing from the table is unsupported on that
warehouse, and the error lists what is supported there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from sqlglot import exp

from trilith.ai.model import AIQuery, AIUnsupported
from trilith.engines.base import Engine
from trilith.errors import ValidationFailed
from trilith.sql.render import param

__all__ = [
    "PROVIDERS",
    "Builder",
    "Call",
    "Provider",
    "SQLProvider",
    "array_of",
    "cortex",
    "func",
    "kwarg",
    "register_provider",
    "required",
]


@dataclass
class Call:
    """A function call being built: its expression and the values its placeholders take."""

    params: dict[str, Any] = field(default_factory=dict)

    def bind(self, name: str, value: Any) -> exp.Placeholder:
        self.params[name] = value
        return param(name)

    def bind_list(self, prefix: str, values: list[str]) -> list[exp.Expr]:
        return [self.bind(f"{prefix}{i}", value) for i, value in enumerate(values)]


Builder = Callable[[AIQuery, Call], exp.Expr]
_MODEL_NAME = re.compile(r"^[A-Za-z0-9_.\-/:]+$")


def func(name: str, *args: exp.Expr) -> exp.Anonymous:
    """A call kept exactly as written (sqlglot does not rename anonymous functions)."""
    return exp.Anonymous(this=name, expressions=list(args))


def kwarg(name: str, value: exp.Expr) -> exp.Kwarg:
    return exp.Kwarg(this=exp.var(name), expression=value)


def cortex(name: str, *args: exp.Expr) -> exp.Expr:
    """`SNOWFLAKE.CORTEX.<name>(...)`."""
    return exp.Dot.build(
        [exp.to_identifier("SNOWFLAKE"), exp.to_identifier("CORTEX"), func(name, *args)]
    )


def array_of(items: list[exp.Expr]) -> exp.Array:
    return exp.Array(expressions=items)


T = TypeVar("T")


def required(value: T | None, name: str, function: str) -> T:
    if value is None:
        raise ValidationFailed(
            f"{function} needs parameters.{name}", details=[{"field": f"parameters.{name}"}]
        )
    return value


class Provider:
    """What the AI engine needs of any provider: its functions, its models, `run`."""

    name: ClassVar[str]
    # The model a function uses when the query names none (None: the function has none).
    DEFAULT_MODELS: ClassVar[dict[str, str]] = {}

    def supported(self) -> list[str]:
        raise NotImplementedError

    def model_for(self, query: AIQuery) -> str | None:
        model = query.model or self.DEFAULT_MODELS.get(query.function)
        if model is not None and not _MODEL_NAME.match(model):
            raise ValidationFailed(f"{model!r} is not a model name")
        return model

    def unsupported(self, query: AIQuery) -> AIUnsupported:
        """The error for a function this provider lacks, naming the providers that have it
        (TRILITH_AI_PROVIDER: `warehouse` on their warehouse, or `openai`)."""
        from trilith.ai.providers.openai import PROMPTS  # imports this module

        elsewhere = [
            p.name for p in PROVIDERS.values() if p is not self and query.function in p.supported()
        ]
        if self.name != "openai" and query.function in PROMPTS:
            elsewhere.append("openai")
        return AIUnsupported(
            f"{query.function} is unsupported on {self.name}; supported: "
            f"{', '.join(self.supported())}; "
            + (
                f"providers that have it: {', '.join(elsewhere)}"
                if elsewhere
                else "no provider has it"
            ),
            details=[{"field": "function", "value": query.function, "providers": elsewhere}],
        )

    def run(self, query: AIQuery, engine: Engine) -> tuple[Any, int | None]:
        """The function's value, and the output tokens when the provider reports them."""
        raise NotImplementedError


class SQLProvider(Provider):
    """A provider whose functions are SQL: subclasses set `dialect` and `FUNCTIONS`."""

    dialect: ClassVar[str]
    FUNCTIONS: ClassVar[dict[str, Builder]] = {}

    def functions(self) -> dict[str, Builder]:
        """The functions this provider can run here (the local one depends on installs)."""
        return self.FUNCTIONS

    def supported(self) -> list[str]:
        return sorted(self.functions())

    def build(self, query: AIQuery) -> tuple[exp.Select, dict[str, Any]]:
        """The statement that runs `query`, and its bound values."""
        builder = self.functions().get(query.function)
        if builder is None:
            raise self.unsupported(query)
        call = Call()
        model = self.model_for(query)
        if model is not None:
            call.params["model"] = model
        expression = builder(query.model_copy(update={"model": model}), call)
        if not any(p.this == "model" for p in expression.find_all(exp.Placeholder)):
            call.params.pop("model", None)
        return exp.select(expression.as_("result")), call.params

    def prepare(self, engine: Engine) -> None:
        """Make the engine ready to run this provider's statements (the local provider
        registers its functions); warehouse providers need nothing."""

    def run(self, query: AIQuery, engine: Engine) -> tuple[Any, int | None]:
        self.prepare(engine)
        statement, values = self.build(query)
        return decode(engine.fetch_scalar(statement, values)), None


def decode(value: Any) -> Any:
    """Warehouses return objects and arrays as JSON text (Snowflake's VARIANT)."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


PROVIDERS: dict[str, SQLProvider] = {}


def register_provider(cls: type[SQLProvider]) -> type[SQLProvider]:
    PROVIDERS[cls.name] = cls()
    return cls
