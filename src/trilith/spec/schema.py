"""JSON Schema of the app spec, for editors and ``trilith schema``.

Properties are the snake_case names (the camelCase aliases the loader also reads are
not listed); elements are a ``oneOf`` with a ``discriminator`` on ``type``.
"""

from __future__ import annotations

from typing import Any

from trilith.spec.app import App

__all__ = ["SCHEMA_DIALECT", "SCHEMA_ID", "app_json_schema"]

SCHEMA_ID = "https://trilith.dev/schema/app.json"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def app_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) an app spec file satisfies."""
    schema = App.model_json_schema(by_alias=False, mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        **schema,
        "title": "Trilith app",
        "description": (
            "A Trilith data app: pages of layout elements, with the controls, input "
            "tables and action sequences they share."
        ),
    }
