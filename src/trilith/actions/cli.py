"""Running one sequence outside the server (`trilith run-action`)."""

from __future__ import annotations

from typing import Any

from trilith.actions.context import Selection
from trilith.actions.engine import ActionEngine
from trilith.actions.runs import RunStore
from trilith.actions.service import Actions
from trilith.auth.tokens import ADMIN
from trilith.engines.base import Engine
from trilith.events import EventBus
from trilith.input_tables.service import InputTables

__all__ = ["run_sequence_once"]


def run_sequence_once(
    engine: Engine,
    schema: str,
    app_id: str,
    sequence_id: str,
    controls: dict[str, Any],
    rows: list[dict[str, Any]],
) -> dict[str, Any]:
    events = EventBus()
    runner = ActionEngine(RunStore(engine, schema), events)
    try:
        actions = Actions(runner, InputTables(engine, schema, events))
        sequence = actions.catalog.get(sequence_id, app_id)
        ctx = actions.context(
            ADMIN,
            app_id,
            controls=controls,
            selection=Selection(rows=rows, element_id=sequence.element_id),
            variables={},
            element_id=sequence.element_id,
            request_id=None,
        )
        run = runner.execute(sequence, ctx)
    finally:
        runner.close()
    return {
        "status": run["status"],
        "error": run["error"],
        "effects": run["effects"],
        "variables": run["output_variables"],
        "steps": [{"type": s["type"], "status": s["status"]} for s in run["steps"]],
    }
