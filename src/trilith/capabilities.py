"""What this build can do, collected from the registries that implement it.

Each feature package registers a function that lists what it implements; `GET
/api/sigma/capabilities` reports exactly those lists, so a capability appears when its code
lands and never before.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

__all__ = ["collect", "register_capability"]

CapabilityLister = Callable[[], list[str]]

# Every key is reported; an empty list says "none implemented yet".
_KEYS = (
    "input_table_types",
    "column_types",
    "layout_element_types",
    "action_types",
    "ai_functions",
    "formula_functions",
    "warehouses",
)
_LISTERS: dict[str, list[CapabilityLister]] = {key: [] for key in _KEYS}
# Modules that register listers when imported.
_PROVIDERS = (
    "trilith.engines.registry",
    "trilith.spec",
    "trilith.actions.registry",
    "trilith.formula.capability",
    "trilith.ai",
)


def register_capability(key: str) -> Callable[[CapabilityLister], CapabilityLister]:
    if key not in _LISTERS:
        raise KeyError(f"unknown capability {key!r}; known: {', '.join(_KEYS)}")

    def decorate(lister: CapabilityLister) -> CapabilityLister:
        _LISTERS[key].append(lister)
        return lister

    return decorate


def collect() -> dict[str, list[str]]:
    for module in _PROVIDERS:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return {
        key: sorted({item for lister in listers for item in lister()})
        for key, listers in _LISTERS.items()
    }
