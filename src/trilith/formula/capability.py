"""The formula functions this build implements, for `/api/sigma/capabilities`."""

from __future__ import annotations

from trilith.capabilities import register_capability
from trilith.formula.functions import FUNCTIONS


@register_capability("formula_functions")
def _formula_functions() -> list[str]:
    return sorted(FUNCTIONS)
