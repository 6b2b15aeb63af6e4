"""The JSON Schema export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trilith.capabilities import collect
from trilith.spec import ELEMENT_TYPES, app_json_schema, dump_app, load_app


def test_schema_is_json_with_an_id_and_title() -> None:
    schema = json.loads(json.dumps(app_json_schema()))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://trilith.dev/schema/app.json"
    assert schema["title"] == "Trilith app"
    assert schema["type"] == "object"
    assert set(schema["required"]) == {"id", "title", "pages"}


def test_elements_are_discriminated_on_type() -> None:
    defs = app_json_schema()["$defs"]
    elements = defs["Page"]["properties"]["elements"]["items"]
    assert elements["discriminator"]["propertyName"] == "type"
    mapping = elements["discriminator"]["mapping"]
    assert set(mapping) == set(ELEMENT_TYPES) == {
        "container", "tabs", "modal", "popover", "form", "text", "image", "button",
        "table", "pivot", "chart", "input_table", "control", "plugin",
    }  # fmt: skip
    assert mapping["modal"] == "#/$defs/Modal"
    assert len(elements["oneOf"]) == len(mapping)


def test_schema_uses_snake_case_and_forbids_unknown_keys() -> None:
    container = app_json_schema()["$defs"]["Container"]
    assert "corner_style" in container["properties"]
    assert "cornerStyle" not in container["properties"]
    assert container["additionalProperties"] is False
    assert container["properties"]["density"]["enum"] == [6, 12, 24]


def _required_paths(schema: dict[str, Any], data: Any, defs: dict[str, Any]) -> None:
    """A light structural check: every object's required keys are present."""
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    if "discriminator" in schema and isinstance(data, dict):
        target = schema["discriminator"]["mapping"][data["type"]]
        _required_paths({"$ref": target}, data, defs)
        return
    if isinstance(data, dict):
        assert set(schema.get("required", [])) <= set(data)
        for key, value in data.items():
            sub = schema.get("properties", {}).get(key)
            if sub is not None:
                _required_paths(sub, value, defs)
    elif isinstance(data, list) and "items" in schema:
        for item in data:
            _required_paths(schema["items"], item, defs)


def test_the_showcase_dump_fits_the_schema(showcase_path: Path) -> None:
    schema = app_json_schema()
    _required_paths(schema, dump_app(load_app(showcase_path)), schema["$defs"])


def test_element_types_are_reported_as_capabilities() -> None:
    assert collect()["layout_element_types"] == sorted(ELEMENT_TYPES)
