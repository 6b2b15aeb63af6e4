"""What a running sequence sees and changes: variables (seed 004 §4.2) and effects.

Variables: `[Selection/Col]` (one value, or a list when several rows are selected),
`[Control/Id]`, `[ActionVar/Name]` (output variables of earlier actions and stored
procedures), and the user. Formulas over them are evaluated by the formula evaluator;
when a value must reach SQL it is a bound parameter, never text.

Effects are what the browser must do (open a modal, set a control, navigate …): handlers
append them in order and the run returns them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from trilith.actions.model import (
    ColumnValue,
    ControlValueSource,
    FormulaValue,
    StaticValue,
    VariableValue,
)
from trilith.auth import Actor
from trilith.auth.actors import user_context
from trilith.engines.base import Engine, Session
from trilith.errors import Conflict, ValidationFailed
from trilith.formula import ControlValue, Scope, evaluate
from trilith.formula.scope import selection_value
from trilith.input_tables.rows import RowChange, WriteContext
from trilith.input_tables.service import InputTables
from trilith.spec.app import App, control_formula_type

__all__ = ["RunContext", "Selection"]
ATOMIC_LOCK_TIMEOUT_S = 10.0
ELEMENT_VALUES_LIMIT = 10_000


@dataclass
class Selection:
    rows: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    element_id: str | None = None

    def values(self, column: str) -> Any:
        return selection_value([row.get(column) for row in self.rows])

    def all_values(self, column: str) -> list[Any]:
        return [row.get(column) for row in self.rows if row.get(column) is not None]


@dataclass
class RunContext:
    actor: Actor
    engine: Engine
    schema: str
    tables: InputTables
    app_id: str | None = None
    control_types: dict[str, str] = field(default_factory=dict)
    # The app the run belongs to, and its controls' published (default) values.
    app: App | None = None
    published: dict[str, Any] = field(default_factory=dict)
    controls: dict[str, Any] = field(default_factory=dict)
    selection: Selection = field(default_factory=Selection)
    variables: dict[str, Any] = field(default_factory=dict)
    element_id: str | None = None
    request_id: str | None = None
    run_id: str | None = None
    source: str = "action"
    # Statements an admin declared in the app spec, by id, for `run_sql`.
    statements: dict[str, str] = field(default_factory=dict)
    effects: list[dict[str, Any]] = field(default_factory=list)
    # Set for `atomic` runs: every input-table write joins this transaction.
    session: Session | None = None
    # Changes of an atomic run are announced once its transaction commits.
    pending_changes: list[RowChange] = field(default_factory=list)
    _held: list[threading.Lock] = field(default_factory=list)
    _locked: set[str] = field(default_factory=set)

    # --- effects ---------------------------------------------------------------------

    def effect(self, effect_type: str, **data: Any) -> None:
        self.effects.append({"type": effect_type, **data})

    # --- values ----------------------------------------------------------------------

    def scope(self) -> Scope:
        controls = {
            name: ControlValue(control_formula_type(self.control_types.get(name, "")), value)
            for name, value in self.controls.items()
        }
        for name, control_type in self.control_types.items():
            controls.setdefault(name, ControlValue(control_formula_type(control_type)))
        selections = {column: self.selection.values(column) for column in self._selection_columns()}
        return Scope(
            controls=controls,
            variables=dict(self.variables),
            selections=selections,
            user=user_context(self.actor),
            selection_element=self.selection.element_id,
        )

    def _selection_columns(self) -> list[str]:
        columns = list(self.selection.columns)
        for row in self.selection.rows:
            columns.extend(k for k in row if k not in columns)
        return columns

    def formula(self, text: str) -> Any:
        """A formula's value; a leading `=` (as specs write formulas) is optional.

        `[Element/Column]` of another data element of the app reads that column's
        distinct values with an element query (the current control values applied)."""
        body = text[1:] if text.startswith("=") else text
        scope = self.scope()
        scope.element_values = self._element_values(body)
        return evaluate(body, scope)

    def _element_values(self, body: str) -> dict[tuple[str, str], list[Any]]:
        if self.app_id is None or "/" not in body:
            return {}
        from trilith.elements.query import QueryRequest
        from trilith.elements.service import ElementQueries
        from trilith.formula import parse
        from trilith.formula.ast import Reference, walk

        wanted = {
            (node.parts[0], node.parts[1])
            for node in walk(parse(body))
            if isinstance(node, Reference)
            and len(node.parts) == 2
            and node.parts[0] not in ("Selection", "Control", "ActionVar")
            and node.parts[0] != self.selection.element_id
        }
        if not wanted:
            return {}
        queries = ElementQueries(self.tables)
        found: dict[tuple[str, str], list[Any]] = {}
        for element, column in wanted:
            request = QueryRequest(dict(self.controls), (), ELEMENT_VALUES_LIMIT, 0)
            data = queries.query(self.app_id, element, request, self.actor)
            if column not in data.table.column_names:
                raise ValidationFailed(f"element '{element}' has no column {column!r}")
            values = data.table.column(column).to_pylist()
            found[(element, column)] = list(dict.fromkeys(v for v in values if v is not None))
        return found

    def resolve(self, source: Any) -> Any:
        """A value source, a formula written as text starting with `=` (as specs write
        them), or a plain value, which stands for itself."""
        if isinstance(source, str) and source.startswith("="):
            return self.formula(source)
        if isinstance(source, Mapping) and source.get("type") in _SOURCES:
            source = _SOURCES[str(source["type"])].model_validate(source)
        if isinstance(source, StaticValue):
            return source.value
        if isinstance(source, ColumnValue):
            return self.selection.values(source.column_name)
        if isinstance(source, ControlValueSource):
            if (
                source.control_id not in self.controls
                and source.control_id not in self.control_types
            ):
                raise ValidationFailed(f"no control '{source.control_id}' in this app")
            return self.controls.get(source.control_id)
        if isinstance(source, FormulaValue):
            return self.formula(source.formula)
        if isinstance(source, VariableValue):
            return self.variables.get(source.name)
        return source

    # Text parameters may be formulas too: `="Hello " & [Control/name]`.
    resolve_text = resolve

    # --- input-table writes ----------------------------------------------------------

    def announce(self, change: RowChange) -> None:
        if self.session is None:
            self.tables.announce(change)
        else:
            self.pending_changes.append(change)

    def write_context(self) -> WriteContext:
        return WriteContext(self.actor.id, self.request_id, "action")

    @contextmanager
    def table_session(self, lock_key: str) -> Iterator[Session]:
        """The session a write uses: the run's shared transaction when atomic (taking the
        table's lock once, held to the end of the run), else a transaction of its own."""
        if self.session is None:
            with self.engine.locked_transaction(lock_key) as session:
                yield session
            return
        if lock_key not in self._locked:
            lock = self.engine.key_lock(lock_key)
            if not lock.acquire(timeout=ATOMIC_LOCK_TIMEOUT_S):
                raise Conflict(f"{lock_key} is busy with another write; try again")
            self._held.append(lock)
            self._locked.add(lock_key)
            self.engine.lock_in_transaction(self.session, lock_key)
        yield self.session

    def release_locks(self) -> None:
        while self._held:
            self._held.pop().release()
        self._locked.clear()


_SOURCES: dict[str, Any] = {
    "static": StaticValue,
    "column": ColumnValue,
    "control": ControlValueSource,
    "formula": FormulaValue,
    "variable": VariableValue,
}
