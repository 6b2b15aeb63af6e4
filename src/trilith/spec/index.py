"""A flat view of an app for the cross-reference rules: every element with its path,
ancestors and grid, and every id with what it names.

Built once per validation; rules only read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from trilith.spec.actions import ActionSequence
from trilith.spec.app import App, Control, InputTable, Page, SqlSource
from trilith.spec.base import PAGE_GRID_COLUMNS, ReferenceKind, with_article
from trilith.spec.elements import Element
from trilith.spec.source import PathKey, SourceMap

__all__ = ["AppIndex", "ElementNode", "NamedNode"]

_Identified = TypeVar("_Identified", Page, Control, InputTable, ActionSequence)

#: How messages name each kind of reference target.
KIND_NOUNS: dict[str, str] = {
    "element": "element",
    "button": "button",
    "modal": "modal",
    "control": "control",
    "input_table": "input table",
    "action": "action sequence",
    "page": "page",
}


@dataclass(frozen=True, slots=True)
class ElementNode:
    """An element where it sits: its spec path, enclosing elements, and grid width."""

    element: Element
    path: PathKey
    ancestors: tuple[ElementNode, ...]  # outermost first
    grid_columns: int  # columns of the grid the element is placed on

    @property
    def id(self) -> str:
        return self.element.id

    @property
    def type(self) -> str:
        return self.element.type

    @property
    def parent(self) -> ElementNode | None:
        return self.ancestors[-1] if self.ancestors else None

    @property
    def label(self) -> str:
        """``container 'main'``, for messages."""
        return f"{self.type} '{self.id}'"


@dataclass(frozen=True, slots=True)
class NamedNode:
    """Anything with an app-wide id: a page, element, control, input table or action."""

    id: str
    kind: str
    path: PathKey


class AppIndex:
    def __init__(self, app: App, source: SourceMap) -> None:
        self.app = app
        self.source = source
        self.elements: list[ElementNode] = []
        for page_index, page in enumerate(app.pages):
            path: PathKey = ("pages", page_index, "elements")
            self.elements.extend(_walk(page.elements, path, (), PAGE_GRID_COLUMNS))
        self.element_by_id: dict[str, ElementNode] = {}
        for node in self.elements:
            self.element_by_id.setdefault(node.id, node)
        self.pages: dict[str, Page] = _first_by_id(app.pages)
        self.controls: dict[str, Control] = _first_by_id(app.controls)
        self.input_tables: dict[str, InputTable] = _first_by_id(app.input_tables)
        self.actions: dict[str, ActionSequence] = _first_by_id(app.actions)
        self.action_paths: dict[str, PathKey] = {}
        for position, sequence in enumerate(app.actions):
            self.action_paths.setdefault(sequence.id, ("actions", position))

    def named(self) -> list[NamedNode]:
        """Every app-wide id, in the order the file wrote them (when it came from one)."""
        nodes = list(self._named())
        unplaced = (1 << 30, 0)
        return sorted(nodes, key=lambda node: self.source.locate(node.path) or unplaced)

    def _named(self) -> Iterator[NamedNode]:
        for position, page in enumerate(self.app.pages):
            yield NamedNode(page.id, "page", ("pages", position))
            for node in self.elements:
                if node.path[:2] == ("pages", position):
                    yield NamedNode(node.id, f"{node.type} element", node.path)
        groups: Sequence[
            tuple[str, str, Sequence[Control | InputTable | ActionSequence | SqlSource]]
        ] = (
            ("controls", "control", self.app.controls),
            ("input_tables", "input table", self.app.input_tables),
            ("actions", "action sequence", self.app.actions),
            ("sources", "SQL source", self.app.sources),
        )
        for field, kind, items in groups:
            for position, item in enumerate(items):
                yield NamedNode(item.id, kind, (field, position))

    def ids(self, kind: ReferenceKind) -> list[str]:
        """The ids a reference of ``kind`` may name."""
        if kind in ("button", "modal"):
            return [node.id for node in self.elements if node.type == kind]
        targets: dict[str, Sequence[str]] = {
            "element": list(self.element_by_id),
            "control": list(self.controls),
            "input_table": list(self.input_tables),
            "action": list(self.actions),
            "page": list(self.pages),
        }
        return list(targets[kind])

    def check_reference(self, kind: ReferenceKind, target: str) -> str | None:
        """Why ``target`` is not a valid ``kind`` reference, or None when it is."""
        if target in self.ids(kind):
            return None
        noun = KIND_NOUNS[kind]
        options = list(dict.fromkeys(self.ids(kind)))
        hint = (
            f"use one of: {', '.join(options)}"
            if options
            else f"define {with_article(noun)} '{target}'"
        )
        node = self.element_by_id.get(target)
        if node is not None and kind in ("button", "modal"):
            return f"'{target}' is a {node.type} element, not a {noun}; {hint}"
        return f"unknown {noun} '{target}'; {hint}"

    def attachments(self, action_id: str) -> list[ElementNode]:
        """The elements that run the sequence: its ``element`` when it names one (listing
        it elsewhere is an error of its own), else the elements listing it."""
        sequence = self.actions.get(action_id)
        if sequence is not None and sequence.element is not None:
            owner = self.element_by_id.get(sequence.element)
            return [owner] if owner is not None else []
        return [node for node in self.elements if action_id in node.element.actions]


def _walk(
    elements: Sequence[Element],
    path: PathKey,
    ancestors: tuple[ElementNode, ...],
    grid_columns: int,
) -> Iterator[ElementNode]:
    for position, element in enumerate(elements):
        node = ElementNode(element, (*path, position), ancestors, grid_columns)
        yield node
        for slot, children in element.child_slots():
            yield from _walk(
                children, (*node.path, *slot), (*ancestors, node), element.grid_columns
            )


def _first_by_id(items: Sequence[_Identified]) -> dict[str, _Identified]:
    found: dict[str, _Identified] = {}
    for item in items:
        found.setdefault(item.id, item)
    return found
