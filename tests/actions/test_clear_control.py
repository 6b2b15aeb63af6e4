"""clear_control clears every control placed in its scope, to empty or to published values."""

from __future__ import annotations

from typing import Any

import pytest

from tests.actions.conftest import make_context, run, sequence
from trilith.actions.definitions import AppFacts, check_sequence
from trilith.actions.engine import ActionEngine
from trilith.errors import ValidationFailed
from trilith.input_tables.service import InputTables
from trilith.spec.app import App
from trilith.spec.scopes import controls_in

APP = App.model_validate(
    {
        "id": "scoped",
        "title": "Scoped",
        "controls": [
            {"id": "region", "type": "list", "default": "North"},
            {"id": "year", "type": "number", "default": 2024},
            {"id": "owner", "type": "text"},
            {"id": "note", "type": "text", "default": "hello"},
        ],
        "pages": [
            {
                "id": "overview",
                "elements": [
                    {
                        "id": "filters",
                        "type": "container",
                        "children": [
                            {"id": "c_region", "type": "control", "control": "region"},
                            {"id": "c_year", "type": "control", "control": "year"},
                        ],
                    },
                    {
                        "id": "views",
                        "type": "tabs",
                        "tabs": [
                            {
                                "id": "by_owner",
                                "label": "By owner",
                                "children": [
                                    {"id": "c_owner", "type": "control", "control": "owner"}
                                ],
                            },
                            {"id": "empty_tab", "label": "Empty"},
                        ],
                    },
                ],
            },
            {
                "id": "notes",
                "elements": [
                    {
                        "id": "note_modal",
                        "type": "modal",
                        "children": [{"id": "c_note", "type": "control", "control": "note"}],
                    }
                ],
            },
        ],
    }
)


@pytest.mark.parametrize(
    ("scope", "scope_id", "expected"),
    [
        ("all", None, ["region", "year", "owner", "note"]),
        ("control", "year", ["year"]),
        ("page", "overview", ["region", "year", "owner"]),
        ("container", "filters", ["region", "year"]),
        ("tab", "by_owner", ["owner"]),
        ("tab", "empty_tab", []),
        ("modal", "note_modal", ["note"]),
    ],
)
def test_scopes_cover_the_controls_placed_inside(
    scope: Any, scope_id: str | None, expected: list[str]
) -> None:
    assert controls_in(APP, scope, scope_id) == expected


def test_an_unknown_scope_target_is_named() -> None:
    with pytest.raises(ValidationFailed, match="no container 'nowhere'"):
        controls_in(APP, "container", "nowhere")
    # a modal id is not a container
    with pytest.raises(ValidationFailed, match="no container 'note_modal'"):
        controls_in(APP, "container", "note_modal")


def _context(tables: InputTables, controls: dict[str, Any]) -> Any:
    defaults = {c.id: c.default for c in APP.controls if c.default is not None}
    return make_context(
        tables,
        app=APP,
        app_id=APP.id,
        published=defaults,
        controls=controls,
        control_types={c.id: c.type for c in APP.controls},
    )


def test_clearing_a_container_empties_its_controls_and_nothing_else(
    action_engine: ActionEngine, tables: InputTables
) -> None:
    seq = sequence(
        {"type": "clear_control", "scope": "container", "scope_id": "filters"},
        {"type": "set_variable", "variable": "seen", "value": "=[Control/owner]"},
    )
    ctx = _context(tables, {"region": "East", "year": 2020, "owner": "ann"})
    result = run(action_engine, seq, ctx)
    assert result["status"] == "completed"
    assert result["effects"][0]["controls"] == {"region": None, "year": None}
    assert ctx.controls == {"region": None, "year": None, "owner": "ann"}
    assert result["output_variables"]["seen"] == "ann"


def test_reset_to_published_restores_the_defaults(
    action_engine: ActionEngine, tables: InputTables
) -> None:
    seq = sequence(
        {"type": "clear_control", "scope": "all", "reset_to_published": True},
    )
    ctx = _context(tables, {"region": "East", "year": 2020, "owner": "ann", "note": "x"})
    result = run(action_engine, seq, ctx)
    assert result["effects"][0]["controls"] == {
        "region": "North",
        "year": 2024,
        "owner": None,
        "note": "hello",
    }


def test_bad_scopes_are_refused_when_defined() -> None:
    facts = AppFacts(
        controls=frozenset(c.id for c in APP.controls),
        pages=frozenset(p.id for p in APP.pages),
        elements={"filters": "container", "note_modal": "modal", "views": "tabs"},
    )
    with pytest.raises(ValidationFailed) as missing_id:
        check_sequence(sequence({"type": "clear_control", "scope": "page"}), facts)
    assert "needs scope_id" in str(missing_id.value.details)
    with pytest.raises(ValidationFailed) as wrong_kind:
        check_sequence(
            sequence({"type": "clear_control", "scope": "container", "scope_id": "note_modal"}),
            facts,
        )
    assert "'note_modal' is a modal, not a container" in str(wrong_kind.value.details)
    check_sequence(
        sequence({"type": "clear_control", "scope": "container", "scope_id": "filters"}), facts
    )
