"""The one registry of action types.

A handler module registers each type it implements with `@handler(...)`: its family, the
pydantic model of its parameters (validated when a sequence is defined, so a bad
sequence is refused then rather than when it runs), the references it makes (controls,
modals, input tables …, checked against the app), and the function that runs it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from trilith.capabilities import register_capability

if TYPE_CHECKING:
    from trilith.actions.context import RunContext

__all__ = [
    "FAMILIES",
    "HANDLERS",
    "HandlerSpec",
    "Parameters",
    "Reference",
    "handler",
    "load_handlers",
    "resolve_type",
]

FAMILIES = (
    "navigation",
    "controls",
    "layout",
    "elements",
    "input_tables",
    "warehouse",
    "integration",
    "flow",
    "ai",
)
ReferenceKind = Literal[
    "control", "modal", "popover", "element", "input_table", "page", "app", "tabs", "container"
]


@dataclass(frozen=True, slots=True)
class Reference:
    kind: ReferenceKind
    id: str
    field: str


class Parameters(BaseModel):
    """Base of every handler's parameters: strict, snake_case with camelCase aliases."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def references(self) -> list[Reference]:
        return []


P = TypeVar("P", bound=Parameters)
Run = Callable[[Any, "RunContext"], Any]


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    name: str
    family: str
    params: type[Parameters]
    run: Run
    aliases: tuple[str, ...] = ()
    # Writes data: part of an `atomic` run's transaction.
    writes: bool = False


HANDLERS: dict[str, HandlerSpec] = {}
_ALIASES: dict[str, str] = {}
_MODULES = tuple(f"trilith.actions.handlers.{family}" for family in FAMILIES)


def handler(
    type_name: str,
    family: str,
    params: type[P],
    *,
    aliases: tuple[str, ...] = (),
    writes: bool = False,
) -> Callable[[Callable[[P, RunContext], Any]], Callable[[P, RunContext], Any]]:
    if family not in FAMILIES:
        raise ValueError(f"unknown action family {family!r}")

    def register(run: Callable[[P, RunContext], Any]) -> Callable[[P, RunContext], Any]:
        HANDLERS[type_name] = HandlerSpec(type_name, family, params, run, aliases, writes)
        for alias in aliases:
            _ALIASES[alias] = type_name
        return run

    return register


def load_handlers() -> dict[str, HandlerSpec]:
    for module in _MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return HANDLERS


def resolve_type(type_name: str) -> HandlerSpec | None:
    load_handlers()
    return HANDLERS.get(_ALIASES.get(type_name, type_name))


@register_capability("action_types")
def _action_types() -> list[str]:
    return sorted(load_handlers())
