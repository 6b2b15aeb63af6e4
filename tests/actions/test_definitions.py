"""A bad sequence is refused when it is defined, naming the action and the field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from trilith.actions.definitions import AppFacts, check_sequence
from trilith.actions.model import ActionSequence
from trilith.actions.registry import resolve_type
from trilith.errors import ValidationFailed
from trilith.spec.actions import STEP_REFERENCES, ActionStep, param_spellings

FACTS = AppFacts(
    controls=frozenset({"region", "budget"}),
    elements={"help": "modal", "grid": "table", "tips": "popover", "main_tabs": "tabs"},
    input_tables=frozenset({"orders"}),
    pages=frozenset({"home"}),
)


def seq(*actions: dict[str, Any], **extra: Any) -> ActionSequence:
    return ActionSequence.model_validate({"id": "s", "actions": list(actions), **extra})


def problems(sequence: ActionSequence) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as info:
        check_sequence(sequence, FACTS)
    return [(d["path"], d["message"]) for d in info.value.details]


def test_a_good_sequence_passes() -> None:
    check_sequence(
        seq(
            {"type": "set_control", "parameters": {"target_control": "region", "value": "North"}},
            {"type": "open_modal", "modal": "help"},
            {
                "type": "insert_row",
                "input_table": "orders",
                "values": {"code": "=[Control/region]"},
            },
            condition={"type": "custom_formula", "formula": "[Control/budget] > 10"},
        ),
        FACTS,
    )


@pytest.mark.parametrize(
    ("action", "path", "message"),
    [
        ({"type": "teleport"}, "actions[0].type", "unknown action type 'teleport'"),
        (
            {"type": "set_control", "parameters": {}},
            "actions[0].parameters.target_control",
            "Field required",
        ),
        (
            {"type": "set_control", "control": "nope"},
            "actions[0].parameters.target_control",
            "no control 'nope' in this app",
        ),
        (
            {"type": "open_modal", "modal": "grid"},
            "actions[0].parameters.modal",
            "'grid' is a table, not a modal",
        ),
        (
            {"type": "open_modal", "modal": "ghost"},
            "actions[0].parameters.modal",
            "no element 'ghost' in this app",
        ),
        (
            {"type": "insert_rows", "target_table": "invoices", "column_values": {}},
            "actions[0].parameters.target_table",
            "no input table 'invoices'",
        ),
        (
            {"type": "navigate", "page_id": "away"},
            "actions[0].parameters.page_id",
            "no page 'away' in this app",
        ),
        (
            {
                "type": "set_variable",
                "variable": "x",
                "value": {"type": "formula", "formula": "1 +"},
            },
            "actions[0].parameters.value.formula",
            "formula ends where a value was expected",
        ),
        (
            {"type": "set_variable", "variable": "x", "value": "=Sqrtt(4)"},
            "actions[0].parameters.value",
            "unknown function Sqrtt",
        ),
        (
            {"type": "show_alert", "title": "=[Control/colour]"},
            "actions[0].parameters.title",
            "[Control/colour] names no control",
        ),
        (
            {"type": "update_rows", "target_table": "orders", "column_values": {}},
            "actions[0].parameters",
            "exactly one of row_identifier, formula or where",
        ),
    ],
)
def test_each_problem_names_the_action_and_field(
    action: dict[str, Any], path: str, message: str
) -> None:
    found = problems(seq({"type": "set_variable", "variable": "ok", "value": 1}, action))
    shifted = path.replace("actions[0]", "actions[1]")
    assert any(p == shifted and message in m for p, m in found), found


def test_conditions_and_branches_are_checked() -> None:
    sequence = seq(
        {"type": "show_alert", "title": "hi"},
        condition={"type": "control_value", "control_id": "nope"},
        branches=[
            {
                "condition": {"type": "custom_formula", "formula": "If("},
                "actions": [{"type": "teleport"}],
            }
        ],
    )
    paths = [p for p, _ in problems(sequence)]
    assert paths == [
        "condition.control_id",
        "branches[0].condition.formula",
        "branches[0].actions[0].type",
    ]


def test_the_message_names_the_first_problem_and_counts_the_rest() -> None:
    with pytest.raises(ValidationFailed) as info:
        check_sequence(seq({"type": "teleport"}, {"type": "jump"}), FACTS)
    assert (
        info.value.message
        == "sequence 's': actions[0].type: unknown action type 'teleport' (and 1 more problems)"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id": "s", "actions": []}, "needs actions"),
        ({"id": "s", "actions": [{"type": "x"}], "trigger": {"type": "schedule"}}, "needs cron"),
        (
            {
                "id": "s",
                "actions": [{"type": "x"}],
                "trigger": {"type": "schedule", "cron": "every day"},
            },
            "is not a cron expression",
        ),
        (
            {"id": "s", "actions": [{"type": "x"}], "trigger": {"type": "context_menu"}},
            "needs menu_item_id",
        ),
        (
            {"id": "s", "actions": [{"type": "x"}], "condition": {"type": "selection_value"}},
            "needs column_name",
        ),
        ({"id": "s", "actions": [{"type": "x"}], "timeoutMs": 5}, "greater than or equal to 100"),
        ({"id": "bad id!", "actions": [{"type": "x"}]}, "String should match pattern"),
    ],
)
def test_model_errors(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ActionSequence.model_validate(data)


def test_seed_json_and_camel_case_are_read() -> None:
    sequence = ActionSequence.model_validate(
        {
            "id": "s",
            "stopOnError": False,
            "timeoutMs": 5000,
            "actions": [
                {
                    "id": "a1",
                    "type": "set_control",
                    "parameters": {
                        "targetControl": "region",
                        "value": {"type": "control", "controlId": "budget"},
                        "selectionMode": "add",
                    },
                    "outputVariable": "picked",
                }
            ],
        }
    )
    assert (sequence.stop_on_error, sequence.timeout_ms) == (False, 5000)
    assert sequence.actions[0].output_variable == "picked"
    check_sequence(sequence, FACTS)


# Just enough of each step type's other parameters to make a valid step.
_OTHER_PARAMS: dict[str, dict[str, Any]] = {
    "insert_row": {"column_values": {"a": 1}},
    "update_row": {"column_values": {"a": 1}, "row_identifier": "r1"},
    "delete_row": {"row_identifier": "r1"},
}


@pytest.mark.parametrize(
    ("step_type", "name", "kind", "spelling"),
    [
        (step_type, name, kind, spelling)
        for step_type, references in STEP_REFERENCES.items()
        for name, kind in references
        for spelling in param_spellings(name)
    ],
)
def test_spec_and_handlers_read_references_under_the_same_names(
    step_type: str, name: str, kind: str, spelling: str
) -> None:
    """Each spelling the spec's reference checks read a parameter under, the step's
    handler reads too, as the same reference."""
    spec = resolve_type(step_type)
    assert spec is not None
    params = spec.params.model_validate({spelling: "target", **_OTHER_PARAMS.get(step_type, {})})
    assert [(r.kind, r.id) for r in params.references()] == [(kind, "target")]
    step = ActionStep.model_validate({"type": step_type, spelling: "target"})
    assert step.param(name)[1] == "target"
