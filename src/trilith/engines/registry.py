"""Engines by URL scheme.

Adapters register themselves with `@register_engine`; `create_engine(url)` picks one by
scheme. Adapters whose drivers are optional import them lazily, so every scheme is
registered even when its driver is absent, and opening it then names the extra to install.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, TypeVar

from trilith.capabilities import register_capability
from trilith.engines.url import WarehouseURL
from trilith.errors import ConfigurationError, MissingDriver

if TYPE_CHECKING:
    from trilith.engines.base import Engine

__all__ = ["create_engine", "register_engine", "require_driver", "supported_schemes"]

E = TypeVar("E", bound="type[Engine]")

_ENGINES: dict[str, type[Engine]] = {}
_ALIASES = {"postgres": "postgresql", "postgresql+psycopg": "postgresql"}
_ADAPTER_MODULES = (
    "duckdb",
    "sqlite",
    "postgres",
    "snowflake",
    "databricks",
    "bigquery",
    "redshift",
)


def register_engine(cls: E) -> E:
    _ENGINES[cls.scheme] = cls
    return cls


def _load_adapters() -> None:
    for name in _ADAPTER_MODULES:
        try:
            importlib.import_module(f"trilith.engines.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"trilith.engines.{name}":
                raise


def supported_schemes() -> list[str]:
    _load_adapters()
    return sorted(_ENGINES)


def engine_class(scheme: str) -> type[Engine]:
    _load_adapters()
    scheme = _ALIASES.get(scheme, scheme)
    try:
        return _ENGINES[scheme]
    except KeyError:
        raise ConfigurationError(
            f"unknown warehouse URL scheme {scheme!r}; supported: {', '.join(supported_schemes())}"
        ) from None


def create_engine(url: str | WarehouseURL) -> Engine:
    parsed = url if isinstance(url, WarehouseURL) else WarehouseURL.parse(url)
    return engine_class(parsed.scheme)(parsed)


def require_driver(module: str, extra: str) -> Any:
    """Import an optional driver, or fail with the exact command that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDriver(
            f"the {extra} warehouse needs its driver: pip install 'trilith[{extra}]'"
        ) from None


@register_capability("warehouses")
def _warehouse_capability() -> list[str]:
    return supported_schemes()
