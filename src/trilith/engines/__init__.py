"""Warehouse engines: the `Engine` contract, adapters and the registry by URL scheme."""

from trilith.engines.base import Engine, Session, Statement
from trilith.engines.registry import create_engine, register_engine, supported_schemes
from trilith.engines.url import WarehouseURL

__all__ = [
    "Engine",
    "Session",
    "Statement",
    "WarehouseURL",
    "create_engine",
    "register_engine",
    "supported_schemes",
]
