"""`/api/ai` over HTTP, and the `ai_query` action in a sequence."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.actions.conftest import make_context, run, sequence
from tests.ai.conftest import SCHEMA
from tests.api.conftest import AUTH, client, make_client
from trilith.actions.engine import ActionEngine
from trilith.actions.runs import RunStore
from trilith.engines import Engine
from trilith.events import EventBus
from trilith.input_tables.service import InputTables

__all__ = ["client", "make_client"]  # fixtures


def test_query_and_usage(client: TestClient) -> None:
    answer = client.post(
        "/api/ai/query",
        json={"function": "sentiment", "prompt": "I love it", "appId": "a1"},
        headers=AUTH,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["provider"] == "local"
    assert body["result"] > 0
    assert body["cost"] == 0.0
    usage = client.get("/api/ai/usage", headers=AUTH).json()["usage"]
    assert [(u["actor"], u["calls"], u["failed"]) for u in usage] == [("admin", 1, 0)]


def test_metrics_count_ai_calls_of_every_route(client: TestClient) -> None:
    """Calls through `/api/ai/query`, document analysis and failed calls all count (they
    are counted where governance records them, not by one route)."""
    client.post("/api/ai/query", json={"function": "sentiment", "prompt": "fine"}, headers=AUTH)
    analysed = client.post(
        "/api/ai/documents",
        files={"file": ("n.txt", b"I love it", "text/plain")},
        data={"analysis": "sentiment"},
        headers=AUTH,
    )
    assert analysed.status_code == 200, analysed.text
    client.post("/api/ai/query", json={"function": "transcribe", "prompt": "x"}, headers=AUTH)
    text = client.get("/metrics").text
    calls = 'trilith_ai_calls_total{function="%s",provider="local",status="%s"}'
    assert f"{calls % ('sentiment', 'ok')} 2.0" in text
    assert f"{calls % ('transcribe', 'ai_function_unsupported')} 1.0" in text
    assert 'trilith_ai_tokens_total{direction="input",model="' in text


def test_unsupported_function_is_a_422(client: TestClient) -> None:
    answer = client.post(
        "/api/ai/query",
        json={"function": "transcribe", "prompt": "@stage/a.mp3"},
        headers=AUTH,
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["type"] == "ai_function_unsupported"
    assert error["message"].startswith("transcribe is unsupported on local; supported: ")


def test_a_negative_budget_is_refused(client: TestClient) -> None:
    bad = client.post(
        "/api/ai/query",
        json={"function": "sentiment", "prompt": "ok", "costBudget": -1},
        headers=AUTH,
    )
    assert bad.status_code == 422


def test_requests_are_validated(client: TestClient) -> None:
    answer = client.post("/api/ai/query", json={"function": "dance", "prompt": "x"}, headers=AUTH)
    assert answer.status_code == 422
    assert (
        client.post("/api/ai/query", json={"function": "sentiment", "prompt": "x"}).status_code
        == 401
    )


def test_capabilities_list_ai_functions(client: TestClient) -> None:
    caps = client.get("/api/sigma/capabilities", headers=AUTH).json()
    assert "sentiment" in str(caps)
    assert "parse_document" in str(caps)


def test_ai_query_action_sets_its_output_variable(duck: Engine) -> None:
    tables = InputTables(duck, SCHEMA, EventBus())
    runner = ActionEngine(RunStore(duck, SCHEMA), tables.events)
    seq = sequence(
        {
            "type": "ai_query",
            "parameters": {
                "model": "snowflake.cortex.sentiment",
                "query": '="Great " & "work"',
                "outputVariable": "mood",
            },
        },
        {
            "type": "ai_query",
            "parameters": {"function": "transcribe", "query": "x"},
            "error_handling": "continue",
        },
    )
    try:
        result = run(runner, seq, make_context(tables))
    finally:
        runner.close()
    assert result["status"] == "completed", result
    assert result["output_variables"]["mood"] > 0


def test_mock_warehouse_server_has_cortex_functions(make_client: Callable[..., TestClient]) -> None:
    client = make_client(sigma_mode="mock_warehouse")
    answer = client.post(
        "/api/ai/query", json={"function": "sentiment", "prompt": "awful"}, headers=AUTH
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] < 0
    engine = client.app.state.warehouse.engine  # type: ignore[attr-defined]
    assert engine.fetch_scalar("SELECT SNOWFLAKE.CORTEX.SENTIMENT('lovely')") > 0
