from __future__ import annotations

from typing import Any

import pytest

from trilith.engines import Engine
from trilith.events import EventBus
from trilith.input_tables.definition import InputTableDefinition
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.service import InputTables
from trilith.metadata import migrate

DEALS: dict[str, Any] = {
    "name": "Deals",
    "columns": [
        {"name": "title", "type": "text", "required": True, "validation": {"max_length": 40}},
        {"name": "amount", "type": "number", "validation": {"min": 0, "max": 1_000_000}},
        {"name": "seats", "type": "integer", "default": 1},
        {
            "name": "stage",
            "type": "single_select",
            "validation": {"options": ["open", "won", "lost"]},
        },
        {"name": "tags", "type": "multi_select", "validation": {"options": ["a", "b", "c"]}},
        {"name": "closes", "type": "date", "validation": {"min": "2020-01-01"}},
        {"name": "seen_at", "type": "datetime"},
        {"name": "hot", "type": "checkbox"},
        {
            "name": "code",
            "type": "text",
            "unique": True,
            "validation": {"regex": "[A-Z]{3}-[0-9]+"},
        },
        {"name": "owner", "type": "text", "protected": True, "default": "sales"},
    ],
}

ALICE = WriteContext("alice", "req-1")
BOB = WriteContext("bob", "req-2")


@pytest.fixture
def tables(engine: Engine, unique_schema: str) -> InputTables:
    migrate(engine, unique_schema)
    return InputTables(engine, unique_schema, EventBus())


@pytest.fixture
def deals(tables: InputTables) -> str:
    created = tables.create(InputTableDefinition.model_validate(DEALS), ALICE)
    return str(created["id"])
