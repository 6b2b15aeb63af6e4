"""The formula syntax tree: immutable nodes, each knowing the offset where it starts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Binary", "Call", "Literal", "Node", "Reference", "Unary", "walk"]


@dataclass(slots=True)
class Node:
    offset: int


@dataclass(slots=True)
class Literal(Node):
    """A number (int or float), text, logical or Null (`value` None)."""

    value: int | float | str | bool | None


@dataclass(slots=True)
class Reference(Node):
    """`[body]`: `parts` is the body split at its first `/`; `field` follows a dot."""

    body: str
    parts: tuple[str, ...]
    field: str | None = None

    @property
    def source(self) -> str:
        return f"[{self.body}]" + (f".{self.field}" if self.field else "")


@dataclass(slots=True)
class Unary(Node):
    """`-x` (op "neg") or `not x` (op "not")."""

    op: str
    operand: Node


@dataclass(slots=True)
class Binary(Node):
    """`left op right`; `offset` is the operator's, where type errors point."""

    op: str
    left: Node
    right: Node


@dataclass(slots=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]


def walk(node: Node) -> Iterator[Node]:
    """The node and every node below it, depth first."""
    yield node
    children: tuple[Node, ...] = ()
    if isinstance(node, Unary):
        children = (node.operand,)
    elif isinstance(node, Binary):
        children = (node.left, node.right)
    elif isinstance(node, Call):
        children = node.args
    for child in children:
        yield from walk(child)
