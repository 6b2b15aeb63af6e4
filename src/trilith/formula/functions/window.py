"""Window functions. They read the query's ordering and partitioning from the scope:
`Scope.order_by` (columns, each ascending or descending) and `Scope.partition_by`.
Ranking functions may instead rank by a value of their own: `Rank([Sales], "desc")`.
Nulls sort last in every direction on every engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.functions import trees
from trilith.formula.functions.spec import (
    ArgumentError,
    Function,
    Invocation,
    common,
    function,
    numeric,
    registry,
)
from trilith.formula.ir import IR, Bound, Const

__all__ = ["FUNCTIONS", "over"]

_UNBOUNDED = "UNBOUNDED"
_DEFAULT_NULL_ORDER = frozenset({"bigquery"})
_RANKING = frozenset({"Rank", "RankDense", "RowNumber", "Ntile"})


def _column(inv: Invocation, name: str) -> exp.Expr:
    alias = inv.scope.table_alias
    return exp.column(name, table=alias, quoted=True)


def over(
    inv: Invocation,
    func: exp.Expr,
    *,
    ordered: bool = True,
    by: exp.Expr | None = None,
    descending: bool = False,
    frame: tuple[str | int, str | int] | None = None,
) -> exp.Window:
    """`func OVER (PARTITION BY … ORDER BY … ROWS …)` from the scope (or `by`)."""
    partition = [_column(inv, name) for name in inv.scope.partition_by]
    # BigQuery cannot order nulls in aggregate windows; it keeps its own default there.
    nulls_first = None if inv.dialect in _DEFAULT_NULL_ORDER else False
    order: exp.Order | None = None
    if ordered:
        if by is not None:
            keys = [exp.Ordered(this=by, desc=descending, nulls_first=nulls_first)]
        else:
            keys = [
                exp.Ordered(this=_column(inv, s.column), desc=s.descending, nulls_first=nulls_first)
                for s in inv.scope.sorts()
            ]
        if not keys:
            raise inv.fail(
                f"{inv.fn.name} needs an order: set Scope.order_by"
                + (" or pass a value to rank by" if inv.fn.name in _RANKING else "")
            )
        order = exp.Order(expressions=keys)
    spec = _frame(frame) if frame is not None else None
    return exp.Window(this=func, partition_by=partition or None, order=order, spec=spec)


def _frame(bounds: tuple[str | int, str | int]) -> exp.WindowSpec:
    def side(bound: str | int, default_side: str) -> tuple[str | exp.Expr, str | None]:
        if bound == "current":
            return "CURRENT ROW", None
        if bound == _UNBOUNDED:
            return _UNBOUNDED, default_side
        assert isinstance(bound, int)
        return trees.integer(abs(bound)), "PRECEDING" if bound < 0 else "FOLLOWING"

    start, start_side = side(bounds[0], "PRECEDING")
    end, end_side = side(bounds[1], "FOLLOWING")
    return exp.WindowSpec(
        kind="ROWS", start=start, start_side=start_side, end=end, end_side=end_side
    )


_RUNNING = (_UNBOUNDED, "current")
_WHOLE = (_UNBOUNDED, _UNBOUNDED)


def _cumulative(cls: type[exp.AggFunc]) -> Callable[[Invocation], exp.Expr]:
    return lambda inv: over(inv, cls(this=inv.arg(0)), frame=_RUNNING)


def _moving(cls: type[exp.AggFunc]) -> Callable[[Invocation], exp.Expr]:
    def build(inv: Invocation) -> exp.Expr:
        preceding = int(inv.constant(1))
        following = int(inv.constant(2)) if inv.has(2) else 0
        frame = (-preceding if preceding else "current", following if following else "current")
        return over(inv, cls(this=inv.arg(0)), frame=frame)

    return build


def _shift(cls: type[exp.Func]) -> Callable[[Invocation], exp.Expr]:
    def build(inv: Invocation) -> exp.Expr:
        offset = inv.arg(1) if inv.has(1) else trees.integer(1)
        default = inv.arg(2) if inv.has(2) else None
        return over(inv, cls(this=inv.arg(0), offset=offset, default=default))

    return build


def _edge(cls: type[exp.Func]) -> Callable[[Invocation], exp.Expr]:
    return lambda inv: over(inv, cls(this=inv.arg(0)), frame=_WHOLE)


def _ranking(func: Callable[[], exp.Expr], value_index: int) -> Callable[[Invocation], exp.Expr]:
    def build(inv: Invocation) -> exp.Expr:
        by = inv.arg(value_index) if inv.has(value_index) else None
        direction = inv.constant(value_index + 1) if inv.has(value_index + 1) else "asc"
        descending = str(direction).lower() == "desc"
        return over(inv, func(), by=by, descending=descending)

    return build


def _ntile(inv: Invocation) -> exp.Expr:
    ranked = _ranking(lambda: exp.Anonymous(this="NTILE", expressions=[inv.arg(0)]), 1)
    return ranked(inv)


def _check_constants(*indices: int, minimum: int = 0) -> Callable[[Sequence[IR]], None]:
    def validate(irs: Sequence[IR]) -> None:
        for index in indices:
            if index < len(irs):
                arg = irs[index]
                if isinstance(arg, Const | Bound) and (arg.value is None or arg.value < minimum):
                    raise ArgumentError(index, f"must be a whole number of at least {minimum}")

    return validate


def _check_direction(index: int) -> Callable[[Sequence[IR]], None]:
    def validate(irs: Sequence[IR]) -> None:
        if index < len(irs):
            arg = irs[index]
            if isinstance(arg, Const | Bound) and str(arg.value).lower() not in ("asc", "desc"):
                raise ArgumentError(index, 'must be "asc" or "desc"')

    return validate


def _check_ntile(irs: Sequence[IR]) -> None:
    _check_constants(0, minimum=1)(irs)
    _check_direction(2)(irs)


def _rank_function(name: str, func: Callable[[], exp.Expr], summary: str) -> Function:
    return function(
        name,
        "window",
        "value: any?, direction: =text?",
        t.INTEGER,
        _ranking(func, 0),
        kind="window",
        validate=_check_direction(1),
        summary=summary,
        example=f'{name}([Amount], "desc")',
    )


FUNCTIONS: dict[str, Function] = registry(
    function(
        "CumulativeSum",
        "window",
        "value: number",
        numeric,
        _cumulative(exp.Sum),
        kind="window",
        summary="The running total in order.",
        example="CumulativeSum([Amount])",
    ),
    function(
        "CumulativeCount",
        "window",
        "value: any",
        t.INTEGER,
        _cumulative(exp.Count),
        kind="window",
        summary="The running count of non-Null values in order.",
        example="CumulativeCount([Order Id])",
    ),
    function(
        "MovingAvg",
        "window",
        "value: number, preceding: =integer, following: =integer?",
        t.NUMBER,
        _moving(exp.Avg),
        kind="window",
        validate=_check_constants(1, 2),
        summary="The mean over the rows from preceding rows before to following rows "
        "after the current one.",
        example="MovingAvg([Amount], 2)",
    ),
    function(
        "MovingSum",
        "window",
        "value: number, preceding: =integer, following: =integer?",
        numeric,
        _moving(exp.Sum),
        kind="window",
        validate=_check_constants(1, 2),
        summary="The total over the rows from preceding before to following after.",
        example="MovingSum([Amount], 6)",
    ),
    function(
        "Lag",
        "window",
        "value: any, offset: =integer?, default: any?",
        common(lambda n: [0, 2] if n > 2 else [0]),
        _shift(exp.Lag),
        kind="window",
        validate=_check_constants(1),
        summary="The value offset rows (default 1) before, else default (or Null).",
        example="Lag([Amount])",
    ),
    function(
        "Lead",
        "window",
        "value: any, offset: =integer?, default: any?",
        common(lambda n: [0, 2] if n > 2 else [0]),
        _shift(exp.Lead),
        kind="window",
        validate=_check_constants(1),
        summary="The value offset rows (default 1) after, else default (or Null).",
        example="Lead([Amount], 1, 0)",
    ),
    function(
        "First",
        "window",
        "value: any",
        common(),
        _edge(exp.FirstValue),
        kind="window",
        summary="The value of the partition's first row in order.",
        example="First([Amount])",
    ),
    function(
        "Last",
        "window",
        "value: any",
        common(),
        _edge(exp.LastValue),
        kind="window",
        summary="The value of the partition's last row in order.",
        example="Last([Amount])",
    ),
    _rank_function("Rank", exp.Rank, "The rank in order, with gaps after ties (1, 1, 3)."),
    _rank_function("RankDense", exp.DenseRank, "The rank in order without gaps (1, 1, 2)."),
    _rank_function("RowNumber", exp.RowNumber, "The row's position in order (1, 2, 3)."),
    function(
        "Ntile",
        "window",
        "buckets: =integer, value: any?, direction: =text?",
        t.INTEGER,
        _ntile,
        kind="window",
        validate=lambda irs: (_check_constants(0, minimum=1)(irs), _check_direction(2)(irs))[0],
        summary="The bucket (1 to buckets) of the row in order, buckets as equal as possible.",
        example='Ntile(4, [Amount], "desc")',
    ),
)
