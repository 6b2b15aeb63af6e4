"""docs/actions.md names every registered action type."""

from __future__ import annotations

from pathlib import Path

import pytest

from trilith.actions.registry import load_handlers

DOC = (Path(__file__).resolve().parents[2] / "docs" / "actions.md").read_text()


@pytest.mark.parametrize(
    "type_name", sorted(t for t in load_handlers() if not t.startswith("test_"))
)
def test_every_action_type_is_documented(type_name: str) -> None:
    assert f"`{type_name}`" in DOC, f"docs/actions.md does not document `{type_name}`"
