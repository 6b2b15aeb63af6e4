"""Golden SQL per provider and function: the statement and its bound values."""

from __future__ import annotations

from typing import Any

import pytest

from trilith.ai import PROVIDERS, AIQuery, AIUnsupported
from trilith.ai.providers.openai import PROMPTS
from trilith.errors import ValidationFailed

PARAMS = {
    "categories": ["bug", "praise"],
    "target_language": "fr",
    "entities": ["name", "email"],
    "max_tokens": 50,
    "temperature": 0.2,
}

GOLDEN: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("snowflake", "complete"): (
        "SELECT AI_COMPLETE(:model, :prompt, OBJECT_CONSTRUCT('max_tokens', :max_tokens, 'temperature', :temperature)) AS result",
        {"model": "llama3.1-8b", "prompt": "t", "max_tokens": 50, "temperature": 0.2},
    ),
    ("snowflake", "classify"): (
        "SELECT AI_CLASSIFY(:prompt, [:c0, :c1]) AS result",
        {"prompt": "t", "c0": "bug", "c1": "praise"},
    ),
    ("snowflake", "sentiment"): ("SELECT AI_SENTIMENT(:prompt) AS result", {"prompt": "t"}),
    ("snowflake", "summarize"): (
        "SELECT SNOWFLAKE.CORTEX.SUMMARIZE(:prompt) AS result",
        {"prompt": "t"},
    ),
    ("snowflake", "translate"): (
        "SELECT SNOWFLAKE.CORTEX.TRANSLATE(:prompt, :source_language, :target_language) AS result",
        {"prompt": "t", "source_language": "", "target_language": "fr"},
    ),
    ("snowflake", "embed"): (
        "SELECT AI_EMBED(:model, :prompt) AS result",
        {"model": "snowflake-arctic-embed-m-v1.5", "prompt": "t"},
    ),
    ("snowflake", "extract"): (
        "SELECT AI_EXTRACT(:prompt, [:e0, :e1]) AS result",
        {"prompt": "t", "e0": "name", "e1": "email"},
    ),
    ("snowflake", "parse_document"): (
        "SELECT AI_PARSE_DOCUMENT(TO_FILE(:prompt), OBJECT_CONSTRUCT('mode', :mode)) AS result",
        {"prompt": "t", "mode": "LAYOUT"},
    ),
    ("snowflake", "transcribe"): (
        "SELECT AI_TRANSCRIBE(TO_FILE(:prompt)) AS result",
        {"prompt": "t"},
    ),
    ("databricks", "complete"): (
        "SELECT AI_QUERY(:model, :prompt, modelParameters => NAMED_STRUCT('max_tokens', :max_tokens, 'temperature', :temperature)) AS result",
        {
            "model": "databricks-meta-llama-3-3-70b-instruct",
            "prompt": "t",
            "max_tokens": 50,
            "temperature": 0.2,
        },
    ),
    ("databricks", "embed"): (
        "SELECT AI_QUERY(:model, :prompt) AS result",
        {"model": "databricks-gte-large-en", "prompt": "t"},
    ),
    ("databricks", "classify"): (
        "SELECT AI_CLASSIFY(:prompt, ARRAY(:c0, :c1)) AS result",
        {"prompt": "t", "c0": "bug", "c1": "praise"},
    ),
    ("databricks", "extract"): (
        "SELECT AI_EXTRACT(:prompt, ARRAY(:e0, :e1)) AS result",
        {"prompt": "t", "e0": "name", "e1": "email"},
    ),
    ("databricks", "mask"): (
        "SELECT AI_MASK(:prompt, ARRAY(:e0, :e1)) AS result",
        {"prompt": "t", "e0": "name", "e1": "email"},
    ),
    ("databricks", "summarize"): (
        "SELECT AI_SUMMARIZE(:prompt, :max_words) AS result",
        {"prompt": "t", "max_words": 37},
    ),
    ("databricks", "translate"): (
        "SELECT AI_TRANSLATE(:prompt, :target_language) AS result",
        {"prompt": "t", "target_language": "fr"},
    ),
    ("databricks", "sentiment"): (
        "SELECT AI_ANALYZE_SENTIMENT(:prompt) AS result",
        {"prompt": "t"},
    ),
    ("databricks", "fix_grammar"): ("SELECT AI_FIX_GRAMMAR(:prompt) AS result", {"prompt": "t"}),
    ("bigquery", "complete"): (
        "SELECT AI.GENERATE(@prompt, endpoint => @model).result AS result",
        {"model": "gemini-2.5-flash", "prompt": "t"},
    ),
    ("bigquery", "classify"): (
        "SELECT AI.CLASSIFY(@prompt, categories => [@c0, @c1]) AS result",
        {"prompt": "t", "c0": "bug", "c1": "praise"},
    ),
    ("redshift", "complete"): ("SELECT ml.llm_claude(%(prompt)s) AS result", {"prompt": "t"}),
}
WAREHOUSES = ("snowflake", "databricks", "bigquery", "redshift")


@pytest.mark.parametrize(("provider", "function"), sorted(GOLDEN))
def test_golden_sql(provider: str, function: str) -> None:
    model = "ml.llm_claude" if provider == "redshift" else None
    query = AIQuery(function=function, model=model, prompt="t", parameters=PARAMS)  # type: ignore[arg-type]
    statement, values = PROVIDERS[provider].build(query)
    sql, params = GOLDEN[provider, function]
    assert statement.sql(PROVIDERS[provider].dialect) == sql
    assert values == params


@pytest.mark.parametrize("provider", WAREHOUSES)
def test_golden_covers_every_supported_function(provider: str) -> None:
    assert PROVIDERS[provider].supported() == sorted(f for p, f in GOLDEN if p == provider)


@pytest.mark.parametrize(
    ("provider", "function"),
    [
        ("snowflake", "mask"),
        ("snowflake", "fix_grammar"),
        ("databricks", "transcribe"),
        ("bigquery", "sentiment"),
        ("redshift", "embed"),
    ],
)
def test_missing_function_names_what_is_supported(provider: str, function: str) -> None:
    query = AIQuery(function=function, model="ml.f", prompt="t")  # type: ignore[arg-type]
    with pytest.raises(AIUnsupported) as caught:
        PROVIDERS[provider].build(query)
    supported = ", ".join(PROVIDERS[provider].supported())
    elsewhere = [
        p.name for name, p in PROVIDERS.items() if name != provider and function in p.supported()
    ] + (["openai"] if function in PROMPTS else [])
    assert elsewhere, "each case here is a function some other provider has"
    assert caught.value.message == (
        f"{function} is unsupported on {provider}; supported: {supported}; "
        f"providers that have it: {', '.join(elsewhere)}"
    )
    assert caught.value.details[0]["providers"] == elsewhere
    assert caught.value.status_code == 422


def test_prompt_never_enters_sql_text() -> None:
    hostile = "'); DROP TABLE x; --"
    statement, values = PROVIDERS["snowflake"].build(AIQuery(function="complete", prompt=hostile))
    assert hostile not in statement.sql("snowflake")
    assert values["prompt"] == hostile


def test_a_named_model_is_bound_and_checked() -> None:
    _, values = PROVIDERS["snowflake"].build(
        AIQuery(function="complete", model="mistral-large2", prompt="t")
    )
    assert values["model"] == "mistral-large2"
    with pytest.raises(ValidationFailed, match="is not a model name"):
        PROVIDERS["snowflake"].build(AIQuery(function="complete", model="x'); --", prompt="t"))


def test_classify_needs_categories() -> None:
    with pytest.raises(ValidationFailed, match=r"classify needs parameters.categories"):
        PROVIDERS["databricks"].build(AIQuery(function="classify", prompt="t"))


def test_redshift_model_must_name_a_function() -> None:
    with pytest.raises(ValidationFailed, match="CREATE MODEL"):
        PROVIDERS["redshift"].build(AIQuery(function="complete", model="my-llm", prompt="t"))
