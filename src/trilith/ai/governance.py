"""Who may use which model, what a query may cost, and what was spent.

- **Model access**: `TRILITH_AI_MODEL_ACCESS` maps each role to model-name patterns
  (`viewer=smollm2*|llama3.1-8b;editor=*`); a role not named may use every model, a role
  named may use only what its patterns match. Functions without a model always pass.
- **Cost**: tokens are estimated before the call (about four characters a token, plus the
  reply's `max_tokens`), priced from `COSTS` (credits or dollars per million tokens, as
  the warehouse bills them; local models cost nothing). A query's `cost_budget` and the
  actor's `TRILITH_AI_DAILY_BUDGET` are checked against the estimate *before* anything
  runs; an overrun is a 402 `ai_budget_exceeded`.
- **Usage**: every call, successful or not, is one row of `sigds.ai_usage`;
  `usage_summary` aggregates them by actor, model and day.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlglot import exp

from trilith.ai.model import AIBudgetExceeded, AIQuery
from trilith.auth import Actor
from trilith.auth.actors import ROLES
from trilith.engines.base import Engine
from trilith.errors import ConfigurationError, PermissionDenied
from trilith.metadata.clock import utc_now
from trilith.sql.ddl import table
from trilith.sql.render import param

__all__ = [
    "COSTS",
    "Governance",
    "ModelAccess",
    "Usage",
    "estimate_tokens",
    "price",
    "usage_summary",
]

# (input, output) per million tokens. Unlisted models are priced at DEFAULT_COST.
COSTS: dict[str, tuple[float, float]] = {
    "smollm2-135m-instruct": (0.0, 0.0),
    "vader": (0.0, 0.0),
    "llama3.1-8b": (0.19, 0.19),
    "llama3.1-70b": (1.21, 1.21),
    "mistral-large2": (1.95, 1.95),
    "snowflake-arctic-embed-m-v1.5": (0.03, 0.0),
    "databricks-meta-llama-3-3-70b-instruct": (0.5, 1.5),
    "databricks-gte-large-en": (0.13, 0.0),
    "gemini-2.5-flash": (0.3, 2.5),
}
DEFAULT_COST = (1.0, 1.0)
CHARS_PER_TOKEN = 4
DEFAULT_REPLY_TOKENS = 256
# Functions whose answer is a label, a score or a vector: a few tokens at most.
SHORT_REPLIES = frozenset({"classify", "sentiment", "embed"})


def estimate_tokens(query: AIQuery) -> tuple[int, int]:
    """(input, output) tokens a query will use, before it runs."""
    tokens_in = max(1, len(query.prompt) // CHARS_PER_TOKEN)
    if query.function in SHORT_REPLIES:
        return tokens_in, 8
    if query.parameters.max_tokens is not None:
        return tokens_in, query.parameters.max_tokens
    if query.function in ("translate", "fix_grammar", "mask"):
        return tokens_in, tokens_in
    return tokens_in, DEFAULT_REPLY_TOKENS


def price(model: str | None, tokens_in: int, tokens_out: int, *, provider: str) -> float:
    if provider == "local":
        return 0.0
    cost_in, cost_out = COSTS.get(model or "", DEFAULT_COST)
    return (tokens_in * cost_in + tokens_out * cost_out) / 1_000_000


@dataclass(frozen=True)
class ModelAccess:
    rules: dict[str, tuple[str, ...]]

    @classmethod
    def parse(cls, text: str) -> ModelAccess:
        rules: dict[str, tuple[str, ...]] = {}
        for part in filter(None, (p.strip() for p in text.split(";"))):
            role, sep, patterns = part.partition("=")
            if not sep or role.strip() not in ROLES:
                raise ConfigurationError(
                    f"TRILITH_AI_MODEL_ACCESS: {part!r} is not role=pattern|pattern "
                    f"(roles: {', '.join(ROLES)})"
                )
            rules[role.strip()] = tuple(p.strip() for p in patterns.split("|") if p.strip())
        return cls(rules)

    def allows(self, role: str, model: str | None) -> bool:
        if model is None or role not in self.rules:
            return True
        return any(fnmatch.fnmatchcase(model, pattern) for pattern in self.rules[role])


@dataclass(frozen=True)
class Usage:
    actor: str | None
    app_id: str | None
    function: str
    provider: str
    model: str | None
    tokens_in: int
    tokens_out: int
    cost: float
    execution_ms: float
    status: str


_USAGE_COLUMNS = (
    "usage_id",
    "at",
    "actor",
    "app_id",
    "function",
    "provider",
    "model",
    "tokens_in",
    "tokens_out",
    "cost",
    "execution_ms",
    "status",
)


@lru_cache(maxsize=16)
def _insert(schema: str) -> exp.Insert:
    return exp.insert(
        exp.select(*(param(c) for c in _USAGE_COLUMNS)),
        table(schema, "ai_usage"),
        columns=list(_USAGE_COLUMNS),
    )


def _today_start() -> dt.datetime:
    now = utc_now()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


class Governance:
    def __init__(
        self,
        engine: Engine,
        schema: str,
        *,
        access: ModelAccess | None = None,
        daily_budget: float | None = None,
        on_usage: Callable[[Usage], None] | None = None,
    ) -> None:
        self.engine = engine
        self.schema = schema
        self.access = access or ModelAccess({})
        self.daily_budget = daily_budget
        self.on_usage = on_usage

    def check_access(self, actor: Actor, model: str | None) -> None:
        if not self.access.allows(actor.role, model):
            raise PermissionDenied(
                f"{actor.name} ({actor.role}) may not use the model {model!r}; "
                f"allowed for {actor.role}: {', '.join(self.access.rules[actor.role]) or 'none'}"
            )

    def check_budget(self, actor: Actor, query: AIQuery, estimate: float) -> None:
        if query.cost_budget is not None and estimate > query.cost_budget:
            raise AIBudgetExceeded(
                f"estimated cost {estimate:.6f} exceeds the query's budget {query.cost_budget}",
                details=[{"field": "cost_budget", "estimate": estimate}],
            )
        if self.daily_budget is not None:
            spent = self.spent_today(actor.name)
            if spent + estimate > self.daily_budget:
                raise AIBudgetExceeded(
                    f"{actor.name} has spent {spent:.6f} of the daily AI budget "
                    f"{self.daily_budget}; this query would cost about {estimate:.6f}",
                    details=[{"field": "daily_budget", "spent": spent, "estimate": estimate}],
                )

    def spent_today(self, actor: str) -> float:
        query = (
            exp.select(
                exp.func("COALESCE", exp.func("SUM", exp.column("cost")), exp.Literal.number(0))
            )
            .from_(table(self.schema, "ai_usage"))
            .where(exp.column("actor").eq(param("actor")))
            .where(exp.column("at") >= param("since"))
        )
        return float(self.engine.fetch_scalar(query, {"actor": actor, "since": _today_start()}))

    def record(self, usage: Usage) -> None:
        values: dict[str, Any] = {
            "usage_id": uuid.uuid4().hex,
            "at": utc_now(),
            **usage.__dict__,
        }
        self.engine.execute(_insert(self.schema), values)
        if self.on_usage is not None:
            self.on_usage(usage)


def usage_summary(
    engine: Engine, schema: str, *, since: dt.datetime | None = None, actor: str | None = None
) -> list[dict[str, Any]]:
    """Calls, tokens, cost and failures by actor, model and day, newest day first."""
    day = exp.cast(exp.column("at"), exp.DataType.build("DATE"))
    failed = exp.Sum(
        this=exp.Case(
            ifs=[
                exp.If(
                    this=exp.column("status").neq(exp.Literal.string("ok")),
                    true=exp.Literal.number(1),
                )
            ],
            default=exp.Literal.number(0),
        )
    )
    query = (
        exp.select(
            day.as_("day"),
            exp.column("actor"),
            exp.column("model"),
            exp.func("COUNT", exp.Star()).as_("calls"),
            failed.as_("failed"),
            exp.func("SUM", exp.column("tokens_in")).as_("tokens_in"),
            exp.func("SUM", exp.column("tokens_out")).as_("tokens_out"),
            exp.func("SUM", exp.column("cost")).as_("cost"),
        )
        .from_(table(schema, "ai_usage"))
        .group_by(day, exp.column("actor"), exp.column("model"))
        .order_by(exp.Ordered(this=day, desc=True), exp.column("actor"), exp.column("model"))
    )
    values: dict[str, Any] = {}
    if since is not None:
        query = query.where(exp.column("at") >= param("since"))
        values["since"] = since
    if actor is not None:
        query = query.where(exp.column("actor").eq(param("actor")))
        values["actor"] = actor
    rows = engine.fetch_dicts(query, values)
    return [
        {
            **row,
            "day": str(row["day"]),
            "calls": int(row["calls"]),
            "failed": int(row["failed"] or 0),
            "tokens_in": int(row["tokens_in"] or 0),
            "tokens_out": int(row["tokens_out"] or 0),
            "cost": float(row["cost"] or 0.0),
        }
        for row in rows
    ]
