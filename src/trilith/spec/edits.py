"""Element-level edits of an app spec: insert, change or remove one element.

An edit works on the app's plain data and hands the result back to `app_from_data`, so
an edited app passes every model check and cross-reference rule a loaded one does; an
edit that breaks one raises `SpecError` and the caller stores nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from trilith.spec.app import App
from trilith.spec.errors import SpecError, SpecIssue
from trilith.spec.index import AppIndex, ElementNode
from trilith.spec.loader import app_from_data, dump_app
from trilith.spec.source import SourceMap

__all__ = [
    "ElementPlacement",
    "element_config",
    "flatten_elements",
    "insert_element",
    "remove_element",
    "update_element",
]

_IMMUTABLE = ("id", "type")


@dataclass(frozen=True, slots=True)
class ElementPlacement:
    """An element where it sits in its app, in the shape of seed 000's layout table."""

    id: str
    type: str
    page_id: str
    parent_id: str | None
    tab_id: str | None
    nesting_level: int
    position: int
    config: dict[str, Any]


def _child_keys(node: ElementNode) -> set[str]:
    return {str(path[0]) for path, _children in node.element.child_slots()}


def element_config(node: ElementNode) -> dict[str, Any]:
    """The element's own settings, without its children (they are rows of their own)."""
    data = node.element.model_dump(mode="json", exclude_defaults=True)
    for key in _child_keys(node):
        if key == "tabs":
            data["tabs"] = [
                {k: v for k, v in tab.items() if k != "children"} for tab in data.get("tabs", [])
            ]
        else:
            data.pop(key, None)
    return data


def flatten_elements(app: App) -> Iterator[ElementPlacement]:
    index = AppIndex(app, SourceMap())
    for node in index.elements:
        page = app.pages[int(node.path[1])]
        parent = node.parent
        tab_id = None
        if parent is not None and parent.type == "tabs":
            tab_index = int(node.path[len(parent.path) + 1])
            tab_id = parent.element.tabs[tab_index].id  # type: ignore[union-attr]
        yield ElementPlacement(
            id=node.id,
            type=node.type,
            page_id=page.id,
            parent_id=parent.id if parent else None,
            tab_id=tab_id,
            nesting_level=len(node.ancestors),
            position=int(node.path[-1]),
            config=element_config(node),
        )


def _find(app: App, element_id: str) -> ElementNode:
    index = AppIndex(app, SourceMap())
    for node in index.elements:
        if node.id == element_id:
            return node
    raise SpecError([SpecIssue("", f"app '{app.id}' has no element '{element_id}'")])


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _children_list(data: dict[str, Any], path: tuple[str | int, ...]) -> list[Any]:
    parent: Any = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if isinstance(parent, dict):
        children: list[Any] = parent.setdefault(str(last), [])
        return children
    result: list[Any] = parent[last]
    return result


def insert_element(
    app: App,
    element: dict[str, Any],
    *,
    parent_id: str | None = None,
    tab_id: str | None = None,
    page_id: str | None = None,
) -> App:
    """The app with `element` appended to a page or to a parent's children."""
    data = dump_app(app)
    if parent_id is None:
        pages = [p.id for p in app.pages]
        target_page = page_id or (pages[0] if pages else None)
        if target_page not in pages:
            where = f"page '{page_id}'" if page_id else "a page"
            raise SpecError(
                [SpecIssue("page_id", f"app '{app.id}' has no {where}; pages: {', '.join(pages)}")]
            )
        page_index = pages.index(target_page)
        slot: tuple[str | int, ...] = ("pages", page_index, "elements")
    else:
        parent = _find(app, parent_id)
        slots = [path for path, _ in parent.element.child_slots()]
        if not slots:
            raise SpecError([SpecIssue("parent_id", f"{parent.label} cannot hold child elements")])
        if parent.type == "tabs":
            tabs = [tab.id for tab in parent.element.tabs]  # type: ignore[union-attr]
            if tab_id not in tabs:
                raise SpecError(
                    [
                        SpecIssue(
                            "tab_id", f"name the tab of {parent.label}: one of {', '.join(tabs)}"
                        )
                    ]
                )
            slots = [("tabs", tabs.index(tab_id), "children")]
        slot = (*parent.path, *slots[0])
    _children_list(data, slot).append(element)
    return app_from_data(data)


def update_element(app: App, element_id: str, changes: dict[str, Any]) -> App:
    """The app with the element's fields replaced by `changes` (children kept)."""
    fixed = [key for key in _IMMUTABLE if key in changes]
    node = _find(app, element_id)
    for key in fixed:
        if changes[key] != getattr(node.element, key):
            raise SpecError([SpecIssue(key, f"the {key} of an element cannot change")])
    data = dump_app(app)
    target = _at(data, node.path)
    target.update(copy.deepcopy(changes))
    return app_from_data(data)


def remove_element(app: App, element_id: str) -> App:
    """The app without the element and everything inside it."""
    node = _find(app, element_id)
    data = dump_app(app)
    siblings = _at(data, node.path[:-1])
    del siblings[int(node.path[-1])]
    return app_from_data(data)
