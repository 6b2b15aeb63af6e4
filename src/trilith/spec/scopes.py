"""Which controls sit inside a part of an app: a page, a container, a tab, a modal.

`clear_control` actions clear every control placed inside a scope; the controls are
app-level (`App.controls`) and placed on pages by `control` elements, so a scope holds
the controls whose control elements lie within it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

from trilith.errors import ValidationFailed
from trilith.spec.app import App
from trilith.spec.elements import ControlElement, Element, Tabs

__all__ = ["ControlScope", "controls_in"]

ControlScope = Literal["control", "container", "tab", "page", "modal", "all"]


def _placed(elements: Sequence[Element]) -> Iterator[str]:
    for element in elements:
        if isinstance(element, ControlElement):
            yield element.control
        for _, children in element.child_slots():
            yield from _placed(children)


def _subtrees(elements: Sequence[Element]) -> Iterator[tuple[str, str, Sequence[Element]]]:
    """Every (kind, id, children) below `elements`: each element and each tab."""
    for element in elements:
        yield element.type, element.id, [element]
        if isinstance(element, Tabs):
            for tab in element.tabs:
                yield "tab", tab.id, tab.children
        for _, children in element.child_slots():
            yield from _subtrees(children)


def controls_in(app: App, scope: ControlScope, scope_id: str | None) -> list[str]:
    """The ids of the controls `scope` / `scope_id` covers, in the app's order."""
    if scope == "all":
        return [control.id for control in app.controls]
    if scope_id is None:
        raise ValidationFailed(f"a clear_control of scope '{scope}' needs a scope_id")
    if scope == "control":
        return [scope_id]
    found: Sequence[Element] | None = None
    if scope == "page":
        found = next((page.elements for page in app.pages if page.id == scope_id), None)
    else:
        wanted = {"container": {"container"}, "modal": {"modal"}, "tab": {"tab", "tabs"}}[scope]
        for page in app.pages:
            for kind, node_id, children in _subtrees(page.elements):
                if node_id == scope_id and kind in wanted:
                    found = children
                    break
            if found is not None:
                break
    if found is None:
        raise ValidationFailed(f"the app has no {scope} '{scope_id}' to clear controls in")
    placed = set(_placed(found))
    return [control.id for control in app.controls if control.id in placed]
