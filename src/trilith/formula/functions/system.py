"""System functions (the current user), arrays, and pass-through calls.

System functions become bound parameters from `Scope.user` when the formula compiles, so
`CurrentUserEmail()` is one value for the whole query and never SQL text.
Pass-through functions (`CallNumber("MY_UDF", [x])`) call a warehouse function by name;
the name must be a plain or dotted identifier.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.functions import trees
from trilith.formula.functions.logical import FUNCTIONS as LOGICAL
from trilith.formula.functions.spec import (
    ArgumentError,
    Function,
    Invocation,
    function,
    registry,
)
from trilith.formula.ir import IR, Apply, Bound, Const
from trilith.formula.scope import Scope

__all__ = ["FUNCTIONS", "slug"]

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*){0,2}$")


def slug(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_") or "value"


def _user_email(irs: Sequence[IR], scope: Scope) -> IR:
    return Bound("user_email", scope.user.email, t.TEXT, 0, "CurrentUserEmail()")


def _user_in_team(irs: Sequence[IR], scope: Scope) -> IR:
    teams = [str(ir.value) for ir in irs if isinstance(ir, Const | Bound)]
    member = any(team in scope.user.teams for team in teams)
    key = "user_in_team_" + "_".join(slug(team) for team in teams)
    return Bound(key, member, t.LOGICAL, irs[0].offset, "CurrentUserInTeam()")


def _user_attribute(irs: Sequence[IR], scope: Scope) -> IR:
    name = irs[0]
    assert isinstance(name, Const | Bound)
    value = scope.user.attributes.get(str(name.value))
    key = f"user_attribute_{slug(str(name.value))}"
    return Bound(key, value, t.TEXT, name.offset, "CurrentUserAttributeText()")


def _array_contains_fold(irs: Sequence[IR], scope: Scope) -> IR | None:
    """A known array (a control, a variable, a selection) becomes `value IN (…)`."""
    array, value = irs
    if not isinstance(array, Bound):
        return None
    items = list(array.value or [])
    if not items:
        return Const(False, t.LOGICAL, array.offset)
    bound = [
        Bound(f"{array.key}_{i}", item, t.type_of_value(item), array.offset, array.source)
        for i, item in enumerate(items)
    ]
    return Apply(LOGICAL["In"], (value, *bound), t.LOGICAL, array.offset)


def _array_contains(inv: Invocation) -> exp.Expr:
    return exp.ArrayContains(this=inv.arg(0), expression=inv.arg(1))


def _array_contains_py(array: list[Any] | None, value: Any) -> bool | None:
    return None if array is None or value is None else value in array


def _check_name(irs: Sequence[IR]) -> None:
    name = irs[0]
    if isinstance(name, Const | Bound) and not IDENTIFIER.match(str(name.value)):
        raise ArgumentError(0, f"{name.value!r} is not a function name (letters, digits, _)")


def _pass_through(inv: Invocation) -> exp.Expr:
    return exp.Anonymous(this=str(inv.constant(0)), expressions=inv.args[1:])


def _call_function(name: str, returns: str) -> Function:
    return function(
        name,
        "pass-through",
        "function: =text, args: any*",
        returns,
        _pass_through,
        validate=_check_name,
        summary=f"Calls a warehouse function by name; the result is {returns}.",
        example=f'{name}("{_EXAMPLES[returns]}", [Amount])',
    )


_EXAMPLES = {
    t.TEXT: "TO_VARCHAR",
    t.NUMBER: "SIGN",
    t.LOGICAL: "IS_FINITE",
    t.DATETIME: "TO_TIMESTAMP",
    t.VARIANT: "TO_JSON",
}


FUNCTIONS: dict[str, Function] = registry(
    function(
        "CurrentUserEmail",
        "system",
        "",
        t.TEXT,
        lambda inv: trees.null(),
        fold=_user_email,
        summary="The email of the user running the app (a bound parameter).",
        example="CurrentUserEmail()",
    ),
    function(
        "CurrentUserInTeam",
        "system",
        "team: =text+",
        t.LOGICAL,
        lambda inv: trees.null(),
        fold=_user_in_team,
        summary="True when the user belongs to one of the teams.",
        example='CurrentUserInTeam("Sales", "Finance")',
    ),
    function(
        "CurrentUserAttributeText",
        "system",
        "attribute: =text",
        t.TEXT,
        lambda inv: trees.null(),
        fold=_user_attribute,
        summary="The user's value of a user attribute, or Null.",
        example='CurrentUserAttributeText("region")',
    ),
    function(
        "ArrayContains",
        "array",
        "array: array, value: any",
        t.LOGICAL,
        _array_contains,
        fold=_array_contains_fold,
        evaluate=_array_contains_py,
        strict=False,
        unsupported={"sqlite": "SQLite has no arrays", "redshift": "Redshift has no arrays"},
        summary="True when the array holds the value. Known arrays (multi-select "
        "controls, selections) work on every engine.",
        example="ArrayContains([Regions], [Region])",
    ),
    *(
        _call_function(name, returns)
        for name, returns in (
            ("CallText", t.TEXT),
            ("CallNumber", t.NUMBER),
            ("CallLogical", t.LOGICAL),
            ("CallDatetime", t.DATETIME),
            ("CallVariant", t.VARIANT),
        )
    ),
)
