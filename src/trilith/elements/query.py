"""Element queries: a table, pivot, chart or KPI compiled into one SQL statement.

    source rows ── controls targeting the element, row security ──▶ filtered rows
        ──▶ the element's columns (source columns and formulas; aggregates group by the
            rest) ──▶ sort, page

Every value (control values, formula parameters) is bound; the warehouse does all the
work. Each element type says which of its fields are dimensions and which measures, in
a table of shapers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from trilith.elements.controls import Filtering, condition_for
from trilith.elements.sources import Source
from trilith.errors import BadRequest, ValidationFailed
from trilith.formula import ControlValue, Scope, Sort, UserContext, compile_formula
from trilith.spec.app import App, Control, control_formula_type
from trilith.spec.elements import Chart, Pivot

__all__ = ["Item", "QueryRequest", "ShapedQuery", "compile_element", "shape_of"]

BASE, SHAPED, RANKED = "src", "shaped", "ranked"
MAX_LIMIT = 100_000


@dataclass(frozen=True)
class Item:
    """One output column: its name and the source column or formula it comes from."""

    name: str
    text: str
    role: str  # dimension | measure | value (raw, ungrouped)


@dataclass
class QueryRequest:
    controls: dict[str, Any] = field(default_factory=dict)
    sort: Sequence[tuple[str, bool]] = ()
    limit: int | None = 1000
    offset: int = 0
    user: UserContext = field(default_factory=UserContext)
    # Row-security predicates (formulas over the source's columns) for this user.
    row_filters: Sequence[str] = ()


@dataclass
class ShapedQuery:
    select: exp.Select  # without paging
    params: dict[str, Any]
    columns: list[tuple[str, str]]  # (name, formula type)
    dimensions: list[str]

    def page(self, request: QueryRequest) -> tuple[exp.Select, dict[str, Any]]:
        known = {name for name, _ in self.columns}
        order: list[exp.Ordered] = []
        for name, descending in request.sort:
            if name not in known:
                raise BadRequest(f"cannot sort on {name!r}; columns: {', '.join(sorted(known))}")
            order.append(
                exp.Ordered(this=exp.column(name, quoted=True), desc=descending, nulls_first=False)
            )
        # A stable order for paging: the requested sort, then the dimensions (or all columns).
        tiebreak = self.dimensions or [name for name, _ in self.columns]
        order += [
            exp.Ordered(this=exp.column(n, quoted=True))
            for n in tiebreak
            if n not in {s for s, _ in request.sort}
        ]
        query = exp.select(exp.Star()).from_(self.select.subquery(SHAPED)).order_by(*order)
        params = dict(self.params)
        if request.limit is not None:
            if not 0 < request.limit <= MAX_LIMIT:
                raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}")
            query = query.limit(exp.Placeholder(this="page_limit")).offset(
                exp.Placeholder(this="page_offset")
            )
            params |= {"page_limit": request.limit, "page_offset": max(0, request.offset)}
        return query, params

    def count(self) -> tuple[exp.Select, dict[str, Any]]:
        query = exp.select(exp.func("COUNT", exp.Star())).from_(self.select.subquery(SHAPED))
        return query, dict(self.params)


def _items(fields: Sequence[tuple[str, str]]) -> list[Item]:
    return [Item(text, text, role) for role, text in fields if text]


def _table_items(element: Any) -> list[Item]:
    return [Item(c, c, "value") for c in element.columns]


def _pivot_items(element: Pivot) -> list[Item]:
    return _items(
        [("dimension", r) for r in element.rows]
        + [("dimension", c) for c in element.columns]
        + [("measure", v) for v in element.values]
    )


def _chart_items(element: Chart) -> list[Item]:
    fields: list[tuple[str, str]] = []
    if element.chart_type == "scatter":
        fields += [("value", element.x or "")] + [("value", y) for y in element.y]
        fields += [("value", element.series or "")]
    else:
        fields += [("dimension", element.x or ""), ("dimension", element.series or "")]
        fields += [("measure", y) for y in element.y] + [("measure", element.value or "")]
    return _items(fields)


SHAPERS: dict[str, Callable[[Any], list[Item]]] = {
    "table": _table_items,
    "input_table": lambda element: [],
    "pivot": _pivot_items,
    "chart": _chart_items,
}


def shape_of(element: Any) -> list[Item]:
    try:
        return SHAPERS[element.type](element)
    except KeyError:
        raise ValidationFailed(
            f"element '{element.id}' ({element.type}) has no data to query"
        ) from None


def _control_scope(app: App, values: dict[str, Any]) -> dict[str, ControlValue]:
    return {
        c.id: ControlValue(control_formula_type(c.type), values.get(c.id, c.default))
        for c in app.controls
    }


def _control_value(control: Control, request: QueryRequest) -> Any:
    return request.controls.get(control.id, control.default)


def compile_element(
    element: Any, app: App, source: Source, request: QueryRequest, dialect: str
) -> ShapedQuery:
    controls = _control_scope(app, request.controls)
    # Window formulas (CumulativeSum …) run in the order of the element's first dimension.
    order: list[Sort | str] = [
        c for c in (_plain_column(getattr(element, "x", None), source),) if c
    ]
    scope = Scope(
        columns=dict(source.columns), controls=controls, user=request.user, order_by=order
    )
    filtering = Filtering()
    params: dict[str, Any] = dict(source.params)

    # 1. the rows the element sees: controls targeting it and row security
    top_n: list[tuple[Control, str]] = []
    for control in app.controls:
        for target in control.targets:
            if target.element != element.id:
                continue
            if target.column not in source.columns:
                raise ValidationFailed(
                    f"control '{control.id}' targets column {target.column!r} of "
                    f"'{element.id}', which its source {source.name} does not have"
                )
            if control.type == "top_n":
                top_n.append((control, target.column))
            else:
                column = exp.column(target.column, quoted=True)
                condition_for(control, column, _control_value(control, request), filtering)
    for predicate in request.row_filters:
        compiled = compile_formula(predicate, scope, dialect)
        filtering.conditions.append(compiled.expression)
        params |= compiled.params
    base = exp.select(exp.Star()).from_(source.relation)
    if filtering.conditions:
        base = base.where(exp.and_(*filtering.conditions))
    params |= filtering.params
    for control, _column in top_n:
        base, ranked_params = _top_n(
            base, control, _control_value(control, request), scope, dialect
        )
        params |= ranked_params

    # 2. the element's columns
    items = shape_of(element) or [Item(c, c, "value") for c in source.columns]
    projections: list[exp.Expr] = []
    groups: list[exp.Expr] = []
    columns: list[tuple[str, str]] = []
    keys: list[str] = []
    any_aggregate = False
    for item in items:
        if item.text in source.columns:
            expression: exp.Expr = exp.column(item.text, quoted=True)
            kind, aggregate = source.columns[item.text], False
        else:
            compiled = compile_formula(item.text.removeprefix("="), scope, dialect)
            expression, kind, aggregate = compiled.expression, compiled.type, compiled.is_aggregate
            params |= compiled.params
        any_aggregate = any_aggregate or aggregate
        projections.append(exp.alias_(expression, item.name, quoted=True))
        if not aggregate:
            groups.append(expression)
            keys.append(item.name)
        columns.append((item.name, kind))
    shaped = exp.select(*projections).from_(base.subquery(BASE))
    if any_aggregate and groups:
        shaped = shaped.group_by(*groups)
    # Grouped rows are unique by their keys; raw rows are ordered by all their columns.
    return ShapedQuery(shaped, params, columns, keys if any_aggregate else [])


def _plain_column(text: str | None, source: Source) -> str | None:
    """`Region` or `[Region]` when it names a source column."""
    if not text:
        return None
    name = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    return name if name in source.columns else None


def _top_n(
    base: exp.Select, control: Control, value: Any, scope: Scope, dialect: str
) -> tuple[exp.Select, dict[str, Any]]:
    if value in (None, "", 0) or control.top_n is None:
        return base, {}
    spec = control.top_n
    by = spec.by if spec.by not in scope.columns else f"[{spec.by}]"
    compiled = compile_formula(by.removeprefix("="), scope, dialect)
    descending = spec.direction == "top"
    order = exp.Ordered(this=compiled.expression, desc=descending, nulls_first=False)
    window_functions = {
        "rank": "RANK",
        "dense_rank": "DENSE_RANK",
        "row_number": "ROW_NUMBER",
        "percentile": "PERCENT_RANK",
    }
    function = exp.Anonymous(this=window_functions[spec.mode])
    rank = exp.Window(this=function, order=exp.Order(expressions=[order]))
    ranked = exp.select(exp.Star(), exp.alias_(rank, "_trilith_rank", quoted=True)).from_(
        base.subquery(RANKED)
    )
    name = f"top_{control.id}"
    limit = float(value) / 100 if spec.mode == "percentile" else int(value)
    comparison = exp.LT if spec.mode == "percentile" else exp.LTE
    keep = comparison(
        this=exp.column("_trilith_rank", quoted=True), expression=exp.Placeholder(this=name)
    )
    kept = exp.select(exp.Star()).from_(ranked.subquery(f"{RANKED}_{control.id}")).where(keep)
    return kept, {**compiled.params, name: limit}
