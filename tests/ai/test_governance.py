"""Model access, budgets checked before anything runs, usage rows and their summary."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ai.conftest import EDITOR, SCHEMA, VIEWER, ai_engine
from trilith.ai import AIBudgetExceeded, AIQuery, AIUnsupported, ModelAccess, usage_summary
from trilith.ai.engine import choose_provider
from trilith.ai.governance import Governance, Usage, estimate_tokens, price
from trilith.engines import Engine, create_engine
from trilith.errors import ConfigurationError, PermissionDenied


def _usage(engine: Engine) -> list[dict[str, object]]:
    return engine.fetch_dicts(f'SELECT * FROM "{SCHEMA}".ai_usage ORDER BY at')


def _audit(engine: Engine) -> list[dict[str, object]]:
    return engine.fetch_dicts(
        f'SELECT actor, action, target_id, parameters FROM "{SCHEMA}".audit_log '
        "WHERE action = 'ai_query_failed'"
    )


def test_estimates_and_prices() -> None:
    query = AIQuery(function="complete", prompt="x" * 400, parameters={"max_tokens": 100})
    assert estimate_tokens(query) == (100, 100)
    assert estimate_tokens(AIQuery(function="sentiment", prompt="abcd")) == (1, 8)
    assert price("llama3.1-70b", 1_000_000, 0, provider="snowflake") == pytest.approx(1.21)
    assert price("unknown", 500_000, 500_000, provider="snowflake") == pytest.approx(1.0)
    assert price("anything", 10**9, 10**9, provider="local") == 0.0


def test_model_access_per_role() -> None:
    access = ModelAccess.parse("viewer=smollm2*|llama3.1-8b; editor=*")
    assert access.allows("viewer", "llama3.1-8b")
    assert not access.allows("viewer", "mistral-large2")
    assert access.allows("editor", "mistral-large2")
    assert access.allows("admin", "anything")  # not named: unrestricted
    assert access.allows("viewer", None)  # a function without a model
    with pytest.raises(ConfigurationError, match="role=pattern"):
        ModelAccess.parse("guest=*")


def test_a_refused_model_is_audited_and_counted(duck: Engine) -> None:
    engine = ai_engine(duck, access="viewer=llama*")
    with pytest.raises(PermissionDenied, match="may not use the model 'smollm2-135m-instruct'"):
        engine.execute(AIQuery(function="complete", prompt="hi"), VIEWER)
    [row] = _usage(duck)
    assert row["status"] == "permission_denied"
    assert row["actor"] == VIEWER.name
    [audit] = _audit(duck)
    assert audit["target_id"] == "complete"
    assert "permission_denied" in str(audit["parameters"])


def test_query_budget_is_checked_before_running(duck: Engine) -> None:
    governance = Governance(duck, SCHEMA)
    query = AIQuery(function="complete", prompt="x" * 4000, cost_budget=0.0001)
    with pytest.raises(AIBudgetExceeded) as caught:
        governance.check_budget(
            EDITOR, query, price("llama3.1-70b", 1000, 256, provider="snowflake")
        )
    assert caught.value.status_code == 402
    assert "exceeds the query's budget 0.0001" in caught.value.message


def test_daily_budget_counts_what_was_spent_today(duck: Engine) -> None:
    governance = Governance(duck, SCHEMA, daily_budget=1.0)
    governance.record(
        Usage(EDITOR.name, None, "complete", "snowflake", "m", 10, 10, 0.9, 5.0, "ok")
    )
    governance.check_budget(EDITOR, AIQuery(function="complete", prompt="x"), 0.05)
    with pytest.raises(AIBudgetExceeded, match=r"has spent 0\.900000 of the daily AI budget 1\.0"):
        governance.check_budget(EDITOR, AIQuery(function="complete", prompt="x"), 0.2)
    # Another actor's spending is theirs.
    governance.check_budget(VIEWER, AIQuery(function="complete", prompt="x"), 0.2)


def test_success_is_a_usage_row_and_summary(duck: Engine) -> None:
    engine = ai_engine(duck)
    for text in ("good", "bad", "fine"):
        engine.execute(AIQuery(function="sentiment", prompt=text), EDITOR, app_id="app1")
    with pytest.raises(AIUnsupported):
        engine.execute(
            AIQuery(function="translate", prompt="x", parameters={"target_language": "fr"}), EDITOR
        )
    rows = _usage(duck)
    assert [r["status"] for r in rows] == ["ok", "ok", "ok", "ai_function_unsupported"]
    assert rows[0]["app_id"] == "app1"
    assert rows[0]["provider"] == "local"
    [summary] = usage_summary(duck, SCHEMA)
    assert summary["day"] == str(dt.datetime.now(dt.UTC).date())
    assert summary["actor"] == EDITOR.name
    assert summary["calls"] == 4
    assert summary["failed"] == 1
    assert usage_summary(duck, SCHEMA, actor="nobody") == []
    tomorrow = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1)
    assert usage_summary(duck, SCHEMA, since=tomorrow) == []


def test_provider_choice() -> None:
    duck = create_engine("duckdb:///:memory:")
    sqlite = create_engine("sqlite:///:memory:")
    try:
        assert choose_provider(duck, None).name == "local"
        with pytest.raises(ConfigurationError, match="sqlite has no AI SQL functions"):
            choose_provider(sqlite, None)
        with pytest.raises(ConfigurationError, match="TRILITH_AI_PROVIDER=openai needs"):
            choose_provider(duck, "openai")
    finally:
        duck.close()
        sqlite.close()
