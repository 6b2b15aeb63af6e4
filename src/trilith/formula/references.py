"""Resolving `[…]` references against a scope.

    [Column]                a column of the current element (or a control, when no column
                            has that name)
    [Element/Column]        a column of another element, qualified by its SQL alias
    [Control-ID]            a control's value;  [Range].min / .max,  [Dates].start / .end
    [Control/Id]            a control, named explicitly
    [ActionVar/Name]        an action variable
    [Selection/Column]      the selected rows' values of a column: one value, or a list

Names match exactly first, then ignoring case. Everything but columns becomes a `Bound`
value with a parameter name derived from the reference (`control_region`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from trilith.formula import ast
from trilith.formula import types as t
from trilith.formula.errors import FormulaError, suggest
from trilith.formula.functions.formats import parse_date_text
from trilith.formula.functions.system import slug
from trilith.formula.ir import IR, Bound, ColumnRef
from trilith.formula.scope import ControlValue, Scope, selection_value

__all__ = ["Resolver"]

_RANGE_FIELDS = ("min", "max", "start", "end")
_PREFIXES = ("Selection", "Control", "ActionVar")


def _find(table: Mapping[str, Any], name: str) -> str | None:
    if name in table:
        return name
    folded = name.casefold()
    matches = [key for key in table if key.casefold() == folded]
    return matches[0] if len(matches) == 1 else None


class Resolver:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._keys: dict[tuple[str, str, str | None], str] = {}

    def resolve(self, ref: ast.Reference) -> IR:
        scope = self.scope
        if len(ref.parts) == 1 or ref.field is not None or _find(scope.columns, ref.body):
            return self._bare(ref)
        prefix, name = ref.parts
        kind = next((p for p in _PREFIXES if p.casefold() == prefix.casefold()), None)
        if kind == "Selection":
            return self._selection(ref, name)
        if kind == "Control":
            return self._control(ref, name)
        if kind == "ActionVar":
            return self._variable(ref, name)
        selected = scope.selection_element
        if selected is not None and selected.casefold() == prefix.casefold():
            return self._selection(ref, name)
        return self._element_column(ref, prefix, name)

    # --- kinds ----------------------------------------------------------------------------

    def _bare(self, ref: ast.Reference) -> IR:
        name = ref.body if ref.field is None else ref.parts[-1]
        if ref.field is None:
            column = _find(self.scope.columns, name)
            if column is not None:
                type_ = self._declared(self.scope.columns[column], ref, "column")
                return ColumnRef(column, self.scope.table_alias, type_, ref.offset)
        if len(ref.parts) == 2 and ref.parts[0].casefold() == "control":
            name = ref.parts[1]
        if _find(self.scope.controls, name) is not None:
            return self._control(ref, name)
        names = self.scope.controls if ref.field else (*self.scope.columns, *self.scope.controls)
        candidates = [f"[{c}]" for c in names]
        what = "control" if ref.field else "column or control"
        raise self._unknown(ref, f"unknown {what} {ref.source}", name, candidates)

    def _control(self, ref: ast.Reference, name: str) -> IR:
        found = _find(self.scope.controls, name)
        if found is None:
            candidates = [f"[{c}]" for c in self.scope.controls]
            raise self._unknown(ref, f"unknown control {ref.source}", name, candidates)
        control = self.scope.controls[found]
        if not isinstance(control, ControlValue):
            control = ControlValue(t.type_of_value(control), control)
        value = control.value
        if isinstance(value, Mapping):
            fields = [f for f in _RANGE_FIELDS if f in value]
            if ref.field is None or ref.field.lower() not in fields:
                listed = " or ".join(f"{ref.source.split('.')[0]}.{f}" for f in fields)
                raise FormulaError(
                    f"{ref.source} is a range control: use {listed}", offset=ref.offset
                )
            value = value[ref.field.lower()]
        elif ref.field is not None:
            raise FormulaError(
                f"{ref.source}: only range controls have .{ref.field}", offset=ref.offset
            )
        type_ = self._declared(control.type, ref, "control")
        return self._bound(ref, "control", found, ref.field, value, type_)

    def _variable(self, ref: ast.Reference, name: str) -> IR:
        found = _find(self.scope.variables, name)
        if found is None:
            candidates = [f"[ActionVar/{v}]" for v in self.scope.variables]
            raise self._unknown(ref, f"unknown action variable {ref.source}", name, candidates)
        raw = self.scope.variables[found]
        if isinstance(raw, ControlValue):
            return self._bound(
                ref, "var", found, None, raw.value, self._declared(raw.type, ref, "variable")
            )
        return self._bound(ref, "var", found, None, raw, t.type_of_value(raw))

    def _selection(self, ref: ast.Reference, name: str) -> IR:
        found = _find(self.scope.selections, name)
        if found is None:
            candidates = [f"[Selection/{c}]" for c in self.scope.selections]
            raise self._unknown(ref, f"no selected column {ref.source}", name, candidates)
        value = selection_value(self.scope.selections[found])
        return self._bound(ref, "selection", found, None, value, t.type_of_value(value))

    def _element_column(self, ref: ast.Reference, element: str, name: str) -> IR:
        values = self.scope.element_values.get((element, name))
        if values is not None:
            value = values[0] if len(values) == 1 else values
            return self._bound(
                ref, "element", f"{element}_{name}", None, value, t.type_of_value(value)
            )
        aliases = self.scope.element_aliases
        found = _find(aliases, element)
        if found is None:
            candidates = [f"[{e}/…]" for e in aliases] + [f"[{p}/…]" for p in _PREFIXES]
            raise self._unknown(
                ref, f"unknown element {element!r} in {ref.source}", element, candidates
            )
        columns = self.scope.element_columns.get(found)
        if columns is None:
            return ColumnRef(name, aliases[found], t.VARIANT, ref.offset)
        column = _find(columns, name)
        if column is None:
            candidates = [f"[{found}/{c}]" for c in columns]
            raise self._unknown(ref, f"element {found!r} has no column {name!r}", name, candidates)
        type_ = self._declared(columns[column], ref, "column")
        return ColumnRef(column, aliases[found], type_, ref.offset)

    # --- helpers --------------------------------------------------------------------------

    def _bound(
        self, ref: ast.Reference, kind: str, name: str, field: str | None, value: Any, type_: str
    ) -> Bound:
        value, type_ = _coerce(value, type_, ref)
        key = self._key(kind, name, field)
        return Bound(key, value, type_, ref.offset, ref.source)

    def _key(self, kind: str, name: str, field: str | None) -> str:
        ident = (kind, name, field)
        if ident not in self._keys:
            base = f"{kind}_{slug(name)}" + (f"_{field.lower()}" if field else "")
            key, n = base, 1
            taken = set(self._keys.values())
            while key in taken:
                n += 1
                key = f"{base}_{n}"
            self._keys[ident] = key
        return self._keys[ident]

    def _declared(self, type_name: str, ref: ast.Reference, what: str) -> str:
        try:
            return t.normalize(type_name)
        except ValueError as exc:
            raise FormulaError(f"{what} {ref.source}: {exc}", offset=ref.offset) from None

    def _unknown(
        self, ref: ast.Reference, message: str, name: str, candidates: list[str]
    ) -> FormulaError:
        near = suggest(f"[{name}]", candidates) or suggest(name, candidates)
        if near:
            message += f"; did you mean {' or '.join(near)}?"
        elif candidates:
            shown = ", ".join(candidates[:10]) + (" …" if len(candidates) > 10 else "")
            message += f"; known: {shown}"
        else:
            message += "; nothing of that kind is in scope"
        return FormulaError(message, offset=ref.offset, suggestions=near)


def _coerce(value: Any, type_: str, ref: ast.Reference) -> tuple[Any, str]:
    """Check a value against its declared type; ISO text becomes a date for date types."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, list | tuple):
        return list(value), t.ARRAY
    if isinstance(value, str) and type_ in (t.DATE, t.DATETIME):
        parsed = parse_date_text(value)
        if parsed is None:
            raise FormulaError(f"{ref.source} holds {value!r}, not a date", offset=ref.offset)
        value = parsed
    if isinstance(value, dt.datetime) and type_ == t.DATE:
        value = value.date()
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime) and type_ == t.DATETIME:
        value = dt.datetime.combine(value, dt.time())
    if type_ == t.INTEGER and isinstance(value, float) and value.is_integer():
        value = int(value)
    actual = t.type_of_value(value)
    if actual == t.VARIANT:
        raise FormulaError(
            f"{ref.source} holds a {type(value).__name__}; formulas take scalars and lists",
            offset=ref.offset,
        )
    if type_ not in (t.VARIANT, t.NULL) and not t.accepts(type_, actual):
        raise FormulaError(
            f"{ref.source} is declared {type_} but holds {actual}", offset=ref.offset
        )
    return value, type_
