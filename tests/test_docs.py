"""The README documents every setting, command and route (datasette's habit)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trilith.api import create_app
from trilith.cli import app as cli_app
from trilith.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def env_names() -> list[str]:
    names: list[str] = []
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        choices = getattr(alias, "choices", [])
        names.extend(str(c) for c in choices if str(c).isupper())
    return names


@pytest.mark.parametrize("name", env_names())
def test_every_setting_is_documented(name: str) -> None:
    documented = name in README or (name.startswith("SNOWFLAKE_") and "SNOWFLAKE_*" in README)
    assert documented, f"README.md does not mention {name}"


@pytest.mark.parametrize(
    "command", [c.name or c.callback.__name__ for c in cli_app.registered_commands]
)  # type: ignore[union-attr]
def test_every_command_is_documented(command: str) -> None:
    assert re.search(rf"trilith {command}\b", README), (
        f"README.md does not show `trilith {command}`"
    )


def test_every_route_is_documented() -> None:
    app = create_app(Settings(warehouse="duckdb:///:memory:", admin_token="x"))
    paths = set(app.openapi()["paths"])
    assert "/health" in paths
    missing = sorted(p for p in paths if f"`{p}`" not in README and f" {p}`" not in README)
    assert missing == [], f"README.md does not document: {missing}"
