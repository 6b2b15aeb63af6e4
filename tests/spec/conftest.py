from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from trilith.spec import SpecError, load_app_text

SHOWCASE = Path(__file__).resolve().parents[2] / "examples" / "showcase" / "app.yaml"


@pytest.fixture
def problems() -> Callable[[str], list[str]]:
    """Load dedented YAML text as ``app.yaml``; return its problems as printed."""

    def load(text: str) -> list[str]:
        with pytest.raises(SpecError) as caught:
            load_app_text(dedent(text), "app.yaml")
        return [str(issue) for issue in caught.value.issues]

    return load


@pytest.fixture
def showcase_path() -> Path:
    return SHOWCASE
