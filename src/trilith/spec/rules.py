"""Cross-reference rules: what a single model cannot check on its own.

Each rule is a function from an ``AppIndex`` to the ``Finding``s it makes, registered
in ``RULES`` by name with ``@rule``. ``validate_app`` runs them all and positions each
finding with the spec's ``SourceMap``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlglot.dialects.dialect import Dialect

from trilith.spec.actions import STEP_REFERENCES
from trilith.spec.app import App
from trilith.spec.base import with_article
from trilith.spec.elements import Form, Tabs
from trilith.spec.errors import SpecIssue
from trilith.spec.index import KIND_NOUNS, AppIndex, ElementNode, NamedNode
from trilith.spec.source import PathKey, SourceMap
from trilith.sql.queries import parse_query, placeholders

__all__ = ["MAX_NESTING", "RULES", "Finding", "Rule", "rule", "validate_app"]

#: How many containers and tabs may enclose one another.
MAX_NESTING = 4


@dataclass(frozen=True, slots=True)
class Finding:
    path: PathKey
    message: str


Rule = Callable[[AppIndex], Iterable[Finding]]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register a cross-reference rule under ``name``."""

    def register(check: Rule) -> Rule:
        RULES[name] = check
        return check

    return register


def validate_app(app: App, positions: SourceMap | None = None) -> list[SpecIssue]:
    """Every cross-reference problem in ``app``; empty when there is none."""
    source = positions if positions is not None else SourceMap()
    index = AppIndex(app, source)
    return [source.issue(f.path, f.message) for check in RULES.values() for f in check(index)]


@rule("unique-ids")
def _unique_ids(index: AppIndex) -> Iterator[Finding]:
    first: dict[str, NamedNode] = {}
    for named in index.named():
        earlier = first.setdefault(named.id, named)
        if earlier is not named:
            yield Finding(
                (*named.path, "id"),
                f"duplicate id '{named.id}': the {earlier.kind} at "
                f"{index.source.describe(earlier.path)} has it already; give each page, "
                "element, control, input table and action its own id",
            )


@rule("references")
def _references(index: AppIndex) -> Iterator[Finding]:
    for node in index.elements:
        for field, kind in node.element.REFERENCES:
            target = getattr(node.element, field)
            if isinstance(target, str) and (problem := index.check_reference(kind, target)):
                yield Finding((*node.path, field), problem)
        for position, action_id in enumerate(node.element.actions):
            if problem := index.check_reference("action", action_id):
                yield Finding((*node.path, "actions", position), problem)
    for position, sequence in enumerate(index.app.actions):
        path: PathKey = ("actions", position)
        if sequence.element is not None and (
            problem := index.check_reference("element", sequence.element)
        ):
            yield Finding((*path, "element"), problem)
        for step_position, step in enumerate(sequence.actions):
            step_path = (*path, "actions", step_position)
            for param, kind in STEP_REFERENCES.get(step.type, ()):
                where, target = step.param(param)
                if not isinstance(target, str):
                    noun = KIND_NOUNS[kind]
                    yield Finding(
                        step_path, f"{step.type} needs '{param}', the id of {with_article(noun)}"
                    )
                elif problem := index.check_reference(kind, target):
                    yield Finding((*step_path, *where), problem)


@rule("action-owner")
def _action_owner(index: AppIndex) -> Iterator[Finding]:
    for node in index.elements:
        for position, action_id in enumerate(node.element.actions):
            sequence = index.actions.get(action_id)
            if sequence is not None and sequence.element not in (None, node.id):
                yield Finding(
                    (*node.path, "actions", position),
                    f"action sequence '{action_id}' belongs to element '{sequence.element}' "
                    f"(its element field), not to '{node.id}'; list it on "
                    f"'{sequence.element}' or change its element",
                )


@rule("grid-fit")
def _grid_fit(index: AppIndex) -> Iterator[Finding]:
    for node in index.elements:
        position = node.element.position
        if position is None or position.x + position.w <= node.grid_columns:
            continue
        parent = node.parent
        grid = "the page grid" if parent is None else parent.label
        yield Finding(
            (*node.path, "position"),
            f"x + w = {position.x + position.w} is more than the {node.grid_columns} columns "
            f"of {grid}; make x + w at most {node.grid_columns}",
        )


@rule("nesting-depth")
def _nesting_depth(index: AppIndex) -> Iterator[Finding]:
    for node in index.elements:
        if not node.element.NESTS:
            continue
        depth = 1 + sum(1 for outer in node.ancestors if outer.element.NESTS)
        if depth == MAX_NESTING + 1:
            yield Finding(
                node.path,
                f"{node.label} is nested {depth} levels deep; containers and tabs nest at "
                f"most {MAX_NESTING} levels, so move it out of "
                f"'{node.parent.id if node.parent else ''}' or flatten the layout",
            )


@rule("popover-in-popover")
def _popover_in_popover(index: AppIndex) -> Iterator[Finding]:
    for node in index.elements:
        if node.type != "popover":
            continue
        outer = next((a for a in reversed(node.ancestors) if a.type == "popover"), None)
        if outer is not None:
            yield Finding(
                node.path,
                f"{node.label} is inside {outer.label}; a popover cannot hold another "
                f"popover, move it out of '{outer.id}'",
            )


@rule("close-modal-scope")
def _close_modal_scope(index: AppIndex) -> Iterator[Finding]:
    for position, sequence in enumerate(index.app.actions):
        for step_position, step in enumerate(sequence.actions):
            modal = step.params.get("modal")
            target = index.element_by_id.get(modal) if isinstance(modal, str) else None
            if step.type != "close_modal" or target is None or target.type != "modal":
                continue
            for node in index.attachments(sequence.id):
                if node.id == target.id or any(a.id == target.id for a in node.ancestors):
                    continue
                yield Finding(
                    ("actions", position, "actions", step_position, "modal"),
                    f"close_modal closes modal '{target.id}' but runs from {node.label}, "
                    f"which is outside it; attach sequence '{sequence.id}' to an element "
                    f"inside '{target.id}'",
                )


@rule("data-sources")
def _data_sources(index: AppIndex) -> Iterator[Finding]:
    for node in index.elements:
        source = node.element.data_source
        target = index.element_by_id.get(source) if source is not None else None
        if target is not None and not target.element.HAS_DATA:
            yield Finding(
                (*node.path, "source"),
                f"source '{source}' is a {target.type} element, which has no rows; use a "
                "table, pivot, chart or input_table element, an input table or a "
                "warehouse table",
            )


@rule("sql-sources")
def _sql_sources(index: AppIndex) -> Iterator[Finding]:
    for position, source in enumerate(index.app.sources):
        path: PathKey = ("sources", position)
        if source.dialect is not None:
            try:
                Dialect.get_or_raise(source.dialect)
            except ValueError:
                yield Finding((*path, "dialect"), f"unknown SQL dialect '{source.dialect}'")
                continue
        try:
            tree = parse_query(source.sql, source.dialect)
        except ValueError as exc:
            yield Finding((*path, "sql"), f"SQL source '{source.id}': {exc}")
            continue
        for name in placeholders(tree):
            if name not in index.controls:
                yield Finding(
                    (*path, "sql"),
                    f"SQL source '{source.id}' takes :{name}, which is not a control; "
                    "its placeholders take control values",
                )


@rule("source-cycles")
def _source_cycles(index: AppIndex) -> Iterator[Finding]:
    # Each element reads at most one source, so following sources from any element
    # walks a chain that either leaves the elements or closes a single loop.
    done: set[str] = set()
    for start in index.elements:
        chain: list[ElementNode] = []
        node: ElementNode | None = start
        while node is not None and node.id not in done:
            if any(member.id == node.id for member in chain):
                loop = chain[[member.id for member in chain].index(node.id) :]
                names = " → ".join([*(member.id for member in loop), node.id])
                yield Finding(
                    (*loop[0].path, "source"),
                    f"source cycle: {names}; make one of them read a warehouse table or "
                    "input table",
                )
                break
            chain.append(node)
            source = node.element.data_source
            node = index.element_by_id.get(source) if source is not None else None
        done.update(member.id for member in chain)


@rule("tabs")
def _tabs(index: AppIndex) -> Iterator[Finding]:
    for node in index.elements:
        if not isinstance(node.element, Tabs):
            continue
        tab_ids = [tab.id for tab in node.element.tabs]
        for position, tab_id in enumerate(tab_ids):
            if tab_id in tab_ids[:position]:
                yield Finding(
                    (*node.path, "tabs", position, "id"),
                    f"duplicate tab id '{tab_id}' in {node.label}; give each tab its own id",
                )
        default = node.element.default_tab
        if default is not None and default not in tab_ids:
            yield Finding(
                (*node.path, "default_tab"),
                f"'{default}' is not a tab of {node.label}; use one of: "
                f"{', '.join(dict.fromkeys(tab_ids))}",
            )


@rule("form-fields")
def _form_fields(index: AppIndex) -> Iterator[Finding]:
    for node in index.elements:
        form = node.element
        if not isinstance(form, Form):
            continue
        table = index.input_tables.get(form.input_table) if form.input_table else None
        for position, field in enumerate(form.fields):
            path = (*node.path, "fields", position)
            if field.control is not None:
                if problem := index.check_reference("control", field.control):
                    yield Finding((*path, "control"), problem)
            elif form.input_table is None:
                yield Finding(
                    (*path, "column"),
                    f"column '{field.column}' needs the form's input_table; set input_table "
                    f"on {node.label}",
                )
            elif table is not None and field.column not in table.column_names:
                yield Finding(
                    (*path, "column"),
                    f"'{field.column}' is not a column of input table '{table.id}'; use one "
                    f"of: {', '.join(dict.fromkeys(table.column_names))}",
                )


@rule("input-table-columns")
def _input_table_columns(index: AppIndex) -> Iterator[Finding]:
    for position, table in enumerate(index.app.input_tables):
        names = table.column_names
        for column_position, name in enumerate(names):
            if name in names[:column_position]:
                first: PathKey = ("input_tables", position, "columns", names.index(name))
                yield Finding(
                    ("input_tables", position, "columns", column_position, "name"),
                    f"duplicate column '{name}' in input table '{table.id}' (first at "
                    f"{index.source.describe(first)}); rename one",
                )
