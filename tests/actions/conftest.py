from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from trilith.actions.context import RunContext, Selection
from trilith.actions.engine import ActionEngine
from trilith.actions.model import ActionSequence
from trilith.actions.registry import HANDLERS, Parameters, handler
from trilith.actions.runs import RunStore
from trilith.auth import Actor
from trilith.engines import Engine
from trilith.errors import WarehouseUnavailable
from trilith.events import EventBus
from trilith.input_tables.definition import InputTableDefinition
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.service import InputTables
from trilith.metadata import migrate

EDITOR = Actor("ed", "ed@example.com", "editor")
VIEWER = Actor("vi", "vi@example.com", "viewer")


class Flaky(Parameters):
    """Test-only handler: fails `failures` times (per key), then returns `value`."""

    key: str
    failures: int = 0
    value: Any = None
    sleep_ms: int = 0


FLAKY_CALLS: dict[str, int] = {}


def _flaky(params: Flaky, ctx: RunContext) -> Any:
    FLAKY_CALLS[params.key] = FLAKY_CALLS.get(params.key, 0) + 1
    if params.sleep_ms:
        time.sleep(params.sleep_ms / 1000)
    if FLAKY_CALLS[params.key] <= params.failures:
        raise WarehouseUnavailable(f"transient failure {FLAKY_CALLS[params.key]}")
    return params.value


@pytest.fixture(autouse=True)
def _test_handler_only_in_tests() -> Iterator[None]:
    handler("test_flaky", "flow", Flaky)(_flaky)
    yield
    HANDLERS.pop("test_flaky", None)
    FLAKY_CALLS.clear()


@pytest.fixture
def tables(engine: Engine, unique_schema: str) -> InputTables:
    migrate(engine, unique_schema)
    return InputTables(engine, unique_schema, EventBus())


@pytest.fixture
def action_engine(tables: InputTables) -> Iterator[ActionEngine]:
    runner = ActionEngine(RunStore(tables.engine, tables.schema), tables.events)
    yield runner
    runner.close()


@pytest.fixture
def orders(tables: InputTables) -> str:
    definition = InputTableDefinition.model_validate(
        {
            "id": "orders",
            "name": "Orders",
            "columns": [
                {"name": "code", "type": "text", "required": True},
                {"name": "status", "type": "text"},
                {"name": "amount", "type": "number", "validation": {"min": 0}},
            ],
        }
    )
    tables.create(definition, WriteContext("setup"))
    return "orders"


def make_context(tables: InputTables, actor: Actor = EDITOR, **kwargs: Any) -> RunContext:
    return RunContext(
        actor=actor, engine=tables.engine, schema=tables.schema, tables=tables, **kwargs
    )


def sequence(*actions: dict[str, Any], **extra: Any) -> ActionSequence:
    return ActionSequence.model_validate(
        {"id": extra.pop("id", "seq"), "actions": list(actions), **extra}
    )


def run(engine: ActionEngine, seq: ActionSequence, ctx: RunContext) -> dict[str, Any]:
    return engine.execute(seq, ctx, wait_s=30)


def selection(*rows: dict[str, Any], element_id: str = "grid") -> Selection:
    return Selection(rows=list(rows), element_id=element_id)


__all__ = ["EDITOR", "FLAKY_CALLS", "HANDLERS", "VIEWER", "threading"]
