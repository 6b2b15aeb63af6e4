"""Databricks AI Functions.

`complete` and `embed` go through `ai_query` against a serving endpoint (the model
name), with `modelParameters => named_struct(...)`; the task functions (ai_classify,
ai_extract, ai_summarize, ai_translate, ai_analyze_sentiment, ai_fix_grammar, ai_mask)
take the text directly. Databricks has no SQL function for audio, and ai_parse_document
reads binary file content rather than a location, so those two are unsupported here.
"""

from __future__ import annotations

from sqlglot import exp

from trilith.ai.model import AIQuery
from trilith.ai.providers.base import (
    Call,
    SQLProvider,
    array_of,
    func,
    kwarg,
    register_provider,
    required,
)
from trilith.ai.providers.snowflake import model_parameters

__all__ = ["DatabricksAI"]


def _complete(query: AIQuery, call: Call) -> exp.Expr:
    options = model_parameters(query, call, "named_struct")
    args: list[exp.Expr] = [exp.Placeholder(this="model"), call.bind("prompt", query.prompt)]
    if options is not None:
        args.append(kwarg("modelParameters", options))
    return func("ai_query", *args)


def _with_list(name: str, field: str, prefix: str) -> object:
    def build(query: AIQuery, call: Call) -> exp.Expr:
        values = required(getattr(query.parameters, field), field, query.function)
        return func(
            name, call.bind("prompt", query.prompt), array_of(call.bind_list(prefix, values))
        )

    return build


def _summarize(query: AIQuery, call: Call) -> exp.Expr:
    args: list[exp.Expr] = [call.bind("prompt", query.prompt)]
    if query.parameters.max_tokens is not None:
        # ai_summarize's limit is in words; a token is about three quarters of a word.
        args.append(call.bind("max_words", max(1, query.parameters.max_tokens * 3 // 4)))
    return func("ai_summarize", *args)


def _translate(query: AIQuery, call: Call) -> exp.Expr:
    target = required(query.parameters.target_language, "target_language", query.function)
    return func(
        "ai_translate", call.bind("prompt", query.prompt), call.bind("target_language", target)
    )


@register_provider
class DatabricksAI(SQLProvider):
    name = "databricks"
    dialect = "databricks"
    DEFAULT_MODELS = {
        "complete": "databricks-meta-llama-3-3-70b-instruct",
        "embed": "databricks-gte-large-en",
    }
    FUNCTIONS = {
        "complete": _complete,
        "embed": lambda q, c: func(
            "ai_query", exp.Placeholder(this="model"), c.bind("prompt", q.prompt)
        ),
        "classify": _with_list("ai_classify", "categories", "c"),  # type: ignore[dict-item]
        "extract": _with_list("ai_extract", "entities", "e"),  # type: ignore[dict-item]
        "mask": _with_list("ai_mask", "entities", "e"),  # type: ignore[dict-item]
        "summarize": _summarize,
        "translate": _translate,
        "sentiment": lambda q, c: func("ai_analyze_sentiment", c.bind("prompt", q.prompt)),
        "fix_grammar": lambda q, c: func("ai_fix_grammar", c.bind("prompt", q.prompt)),
    }
