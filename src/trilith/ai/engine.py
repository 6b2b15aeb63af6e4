"""`AIEngine.execute`: one AI query, governed, run where the data lives, accounted for.

The order (seed 004 §6.1): model access, token and cost estimate, budgets — all before
anything runs — then the provider's statement on the warehouse, then a usage row. A
failure after the checks is also a usage row (status `error`) and an audit entry
`ai_query_failed`; a refusal by the checks is audited the same way.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from trilith.ai.governance import Governance, Usage, estimate_tokens, price
from trilith.ai.model import AIQuery, AIResult
from trilith.ai.providers import PROVIDERS, Provider
from trilith.ai.providers.openai import OpenAICompatible
from trilith.auth import Actor
from trilith.engines.base import Engine
from trilith.errors import ConfigurationError, TrilithError, WarehouseError
from trilith.metadata.audit import record

__all__ = ["AIEngine", "choose_provider"]

log = logging.getLogger("trilith.ai")

# Engines whose warehouse has AI SQL functions, by warehouse type.
WAREHOUSE_PROVIDERS = ("snowflake", "databricks", "bigquery", "redshift")


def choose_provider(
    engine: Engine, setting: str | None, openai: OpenAICompatible | None = None
) -> Provider:
    """The provider for `TRILITH_AI_PROVIDER` on this engine (unset: the warehouse's own,
    or local on DuckDB, the mock warehouse included)."""
    kind = engine.warehouse_type
    if setting is None:
        setting = "local" if kind == "duckdb" else "warehouse"
    if setting == "local":
        return PROVIDERS["local"]
    if setting == "warehouse":
        if kind not in WAREHOUSE_PROVIDERS:
            raise ConfigurationError(
                f"{kind} has no AI SQL functions; warehouses that have them: "
                f"{', '.join(WAREHOUSE_PROVIDERS)}; on DuckDB set TRILITH_AI_PROVIDER=local"
            )
        return PROVIDERS[kind]
    if openai is None:
        raise ConfigurationError("TRILITH_AI_PROVIDER=openai needs TRILITH_AI_OPENAI_URL")
    return openai


@dataclass
class AIEngine:
    engine: Engine
    schema: str
    provider: Provider
    governance: Governance

    def execute(
        self,
        query: AIQuery,
        actor: Actor,
        *,
        app_id: str | None = None,
        request_id: str | None = None,
    ) -> AIResult:
        model = self.provider.model_for(query)
        tokens_in, tokens_out = estimate_tokens(query)
        started = time.perf_counter()
        try:
            self.governance.check_access(actor, model)
            estimate = price(model, tokens_in, tokens_out, provider=self.provider.name)
            self.governance.check_budget(actor, query, estimate)
            value, reported_out = self.provider.run(query, self.engine)
        except TrilithError as exc:
            self._failed(query, actor, model, app_id, request_id, started, exc, tokens_in)
            raise
        except Exception as exc:
            error = WarehouseError(f"{self.provider.name} AI {query.function} failed: {exc}")
            self._failed(query, actor, model, app_id, request_id, started, error, tokens_in)
            raise error from exc
        elapsed_ms = (time.perf_counter() - started) * 1000
        if reported_out is not None:
            tokens_out = reported_out
        elif isinstance(value, str):
            tokens_out = max(1, len(value) // 4)
        cost = price(model, tokens_in, tokens_out, provider=self.provider.name)
        self.governance.record(
            Usage(
                actor.name,
                app_id,
                query.function,
                self.provider.name,
                model,
                tokens_in,
                tokens_out,
                cost,
                elapsed_ms,
                "ok",
            )
        )
        return AIResult(
            result=value,
            function=query.function,
            provider=self.provider.name,
            model=model,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cost=cost,
            execution_ms=elapsed_ms,
            confidence=_confidence(query, value),
        )

    def _failed(
        self,
        query: AIQuery,
        actor: Actor,
        model: str | None,
        app_id: str | None,
        request_id: str | None,
        started: float,
        exc: TrilithError,
        tokens_in: int,
    ) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        try:
            self.governance.record(
                Usage(
                    actor.name,
                    app_id,
                    query.function,
                    self.provider.name,
                    model,
                    tokens_in,
                    0,
                    0.0,
                    elapsed_ms,
                    exc.error_type,
                )
            )
            record(
                self.engine,
                self.schema,
                actor=actor.name,
                action="ai_query_failed",
                target_type="ai_function",
                target_id=query.function,
                parameters={
                    "provider": self.provider.name,
                    "model": model,
                    "app_id": app_id,
                    "error_type": exc.error_type,
                    "error": exc.message,
                    "execution_ms": elapsed_ms,
                },
                request_id=request_id,
            )
        except TrilithError:
            # Accounting must not hide the error the caller is about to get.
            log.warning("could not record a failed AI query", exc_info=True)


def _confidence(query: AIQuery, value: object) -> float | None:
    """Sentiment's strength as a confidence: |score| for a score in [-1, 1]."""
    if query.function == "sentiment" and isinstance(value, float) and -1 <= value <= 1:
        return abs(value)
    return None
