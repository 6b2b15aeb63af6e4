"""Checking a sequence when it is defined, so a bad one is refused then, not when it runs.

Every action's type must be registered, its parameters must fit the handler's model, the
controls, modals, input tables and elements it names must exist in the app, and every
formula in it (conditions, formula values, `=` text) must parse and call known
functions. A problem is a 422 whose details name the action index and the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from trilith.actions.model import ActionSequence, Condition
from trilith.actions.registry import Parameters, resolve_type
from trilith.errors import ValidationFailed
from trilith.formula import FUNCTIONS, FormulaError, parse
from trilith.formula.ast import Call, Reference, walk

__all__ = ["AppFacts", "check_sequence", "parameters_of"]


@dataclass(frozen=True)
class AppFacts:
    """What a sequence may refer to; None means "not known here, do not check"."""

    controls: frozenset[str] | None = None
    elements: dict[str, str] | None = None  # id → element type
    input_tables: frozenset[str] | None = None
    pages: frozenset[str] | None = None
    statements: frozenset[str] = field(default_factory=frozenset)


_ELEMENT_KINDS = {"modal": "modal", "popover": "popover", "tabs": "tabs", "container": "container"}


def parameters_of(type_name: str, parameters: dict[str, Any]) -> Parameters:
    spec = resolve_type(type_name)
    if spec is None:
        raise KeyError(type_name)
    return spec.params.model_validate(parameters)


def _formula_problems(text: str, facts: AppFacts) -> list[str]:
    try:
        tree = parse(text.removeprefix("="))
    except FormulaError as exc:
        return [exc.message]
    problems = []
    for node in walk(tree):
        if isinstance(node, Call) and node.name.lower() not in {n.lower() for n in FUNCTIONS}:
            problems.append(f"unknown function {node.name}")
        if (
            isinstance(node, Reference)
            and len(node.parts) == 2
            and node.parts[0] == "Control"
            and facts.controls is not None
            and node.parts[1] not in facts.controls
        ):
            problems.append(f"{node.source} names no control of this app")
    return problems


def _formulas(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every formula inside a parameter value: `{"type": "formula"}` sources and `=` text."""
    if isinstance(value, str) and value.startswith("="):
        yield path, value
    elif isinstance(value, dict):
        if value.get("type") == "formula" and isinstance(value.get("formula"), str):
            yield f"{path}.formula", value["formula"]
        for key, inner in value.items():
            if key != "formula":
                yield from _formulas(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _formulas(inner, f"{path}[{index}]")


def _condition_problems(condition: Condition, path: str, facts: AppFacts) -> list[dict[str, Any]]:
    found = []
    if condition.formula:
        found += [
            {"path": f"{path}.formula", "message": m}
            for m in _formula_problems(condition.formula, facts)
        ]
    if (
        condition.control_id
        and facts.controls is not None
        and condition.control_id not in facts.controls
    ):
        found.append(
            {"path": f"{path}.control_id", "message": f"no control '{condition.control_id}'"}
        )
    return found


def _reference_problem(kind: str, ident: str, facts: AppFacts) -> str | None:
    if kind == "control" and facts.controls is not None and ident not in facts.controls:
        return f"no control '{ident}' in this app"
    if kind == "input_table" and facts.input_tables is not None and ident not in facts.input_tables:
        return f"no input table '{ident}'"
    if kind == "page" and facts.pages is not None and ident not in facts.pages:
        return f"no page '{ident}' in this app"
    if kind in ("element", *_ELEMENT_KINDS) and facts.elements is not None:
        actual = facts.elements.get(ident)
        if actual is None:
            return f"no element '{ident}' in this app"
        if kind in _ELEMENT_KINDS and actual != _ELEMENT_KINDS[kind]:
            return f"'{ident}' is a {actual}, not a {kind}"
    return None


def check_sequence(sequence: ActionSequence, facts: AppFacts = AppFacts()) -> None:
    problems: list[dict[str, Any]] = []
    if sequence.condition:
        problems += _condition_problems(sequence.condition, "condition", facts)
    for index, branch in enumerate(sequence.branches):
        if branch.condition:
            problems += _condition_problems(branch.condition, f"branches[{index}].condition", facts)
    for path, action in sequence.all_actions():
        spec = resolve_type(action.type)
        if spec is None:
            problems.append(
                {"path": f"{path}.type", "message": f"unknown action type '{action.type}'"}
            )
            continue
        try:
            params = spec.params.model_validate(action.parameters)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                problems.append(
                    {"path": f"{path}.parameters.{where}".rstrip("."), "message": error["msg"]}
                )
            continue
        for reference in params.references():
            message = _reference_problem(reference.kind, reference.id, facts)
            if message:
                problems.append(
                    {"path": f"{path}.parameters.{reference.field}", "message": message}
                )
        for where, text in _formulas(action.parameters, f"{path}.parameters"):
            problems += [{"path": where, "message": m} for m in _formula_problems(text, facts)]
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ValidationFailed(
            f"sequence '{sequence.id}': {first['path']}: {first['message']}{more}",
            details=[{**p, "field": p["path"]} for p in problems],
        )
