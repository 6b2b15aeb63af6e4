"""docs/app-spec.md names every element type, validation rule and control type."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from trilith.spec import ELEMENT_TYPES, RULES, Element
from trilith.spec.app import ControlType

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "app-spec.md"
DOC = DOC_PATH.read_text(encoding="utf-8")


def union_element_types() -> list[str]:
    models = get_args(get_args(Element)[0])
    return [get_args(model.model_fields["type"].annotation)[0] for model in models]


def test_element_types_come_from_the_union() -> None:
    assert list(ELEMENT_TYPES) == union_element_types()


@pytest.mark.parametrize("name", union_element_types())
def test_every_element_type_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC, f"docs/app-spec.md does not mention element type `{name}`"


@pytest.mark.parametrize("name", list(RULES))
def test_every_rule_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC, f"docs/app-spec.md does not mention rule `{name}`"


@pytest.mark.parametrize("name", get_args(ControlType))
def test_every_control_type_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC, f"docs/app-spec.md does not mention control type `{name}`"
