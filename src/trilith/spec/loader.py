"""Reading and writing app specs: file or text → validated ``App`` → plain data / YAML.

Loading runs three stages, each reporting every problem it finds at once as a
``SpecError`` whose issues carry ``file:line:column`` and a spec path:

1. YAML/JSON syntax (``source.parse_yaml``),
2. the models (pydantic; errors translated by ``diagnostics``),
3. cross-references (``rules.validate_app``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from trilith.spec.app import App
from trilith.spec.diagnostics import issues_from_validation_error
from trilith.spec.errors import SpecError, SpecIssue
from trilith.spec.rules import validate_app
from trilith.spec.source import SourceMap, dump_yaml, parse_yaml

__all__ = ["app_from_data", "dump_app", "dump_app_yaml", "load_app", "load_app_text"]


def load_app(path: str | os.PathLike[str]) -> App:
    """Load and validate the app spec file at ``path`` (YAML or JSON)."""
    filename = os.fspath(path)
    try:
        text = Path(filename).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([SpecIssue("", "no such file; check the path", file=filename)]) from None
    except (OSError, UnicodeDecodeError) as error:
        message = f"cannot read the file ({error}); save it as UTF-8 text"
        raise SpecError([SpecIssue("", message, file=filename)]) from None
    return load_app_text(text, filename)


def load_app_text(text: str, filename: str | None = None) -> App:
    """Load and validate app spec text (YAML or JSON); ``filename`` labels errors."""
    data, source = parse_yaml(text, filename)
    if data is None:
        issue = source.issue((), "the spec is empty; an app spec needs id, title and pages")
        raise SpecError([issue])
    return app_from_data(data, source)


def app_from_data(data: Any, source: SourceMap | None = None) -> App:
    """Validate already-parsed spec data (a request body, say) into an ``App``.

    ``source`` positions the errors when the data came from text.
    """
    positions = source if source is not None else SourceMap()
    try:
        app = App.model_validate(data)
    except ValidationError as error:
        raise SpecError(issues_from_validation_error(error, positions, App)) from None
    issues = validate_app(app, positions)
    if issues:
        raise SpecError(issues)
    return app


def dump_app(app: App) -> dict[str, Any]:
    """The app as JSON-ready data with snake_case keys, defaults left out.

    ``app_from_data(dump_app(app)) == app``.
    """
    data = app.model_dump(mode="json", exclude_defaults=True, by_alias=False)
    result: dict[str, Any] = _id_and_type_first(data)
    return result


def dump_app_yaml(app: App) -> str:
    """The app as YAML text that ``load_app_text`` reads back to an equal ``App``."""
    return dump_yaml(dump_app(app))


def _id_and_type_first(data: Any) -> Any:
    # Models declare the shared fields before ``type``; readers expect it up front.
    if isinstance(data, dict):
        leading = {key: data[key] for key in ("id", "type") if key in data}
        rest = {key: value for key, value in data.items() if key not in leading}
        return {key: _id_and_type_first(value) for key, value in (leading | rest).items()}
    if isinstance(data, list):
        return [_id_and_type_first(item) for item in data]
    return data
