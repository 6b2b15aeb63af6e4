"""Snowflake Cortex AI SQL functions.

`complete` passes its model parameters as an OBJECT_CONSTRUCT (AI_COMPLETE's third
argument); files for `parse_document` and `transcribe` are stage locations
(`@stage/path`) turned into FILE values by TO_FILE. Snowflake has no grammar-fixing or
masking function, so those two are unsupported.
"""

from __future__ import annotations

from sqlglot import exp

from trilith.ai.model import AIQuery
from trilith.ai.providers.base import (
    Call,
    SQLProvider,
    array_of,
    cortex,
    func,
    register_provider,
    required,
)

__all__ = ["SnowflakeCortex", "model_parameters"]

MODEL_PARAMETERS = ("max_tokens", "temperature", "top_p")


def model_parameters(query: AIQuery, call: Call, constructor: str) -> exp.Expr | None:
    """`constructor('max_tokens', :max_tokens, …)` for the parameters the query sets."""
    pairs: list[exp.Expr] = []
    for name in MODEL_PARAMETERS:
        value = getattr(query.parameters, name)
        if value is not None:
            pairs += [exp.Literal.string(name), call.bind(name, value)]
    return func(constructor, *pairs) if pairs else None


def _complete(query: AIQuery, call: Call) -> exp.Expr:
    options = model_parameters(query, call, "OBJECT_CONSTRUCT")
    args = [exp.Placeholder(this="model"), call.bind("prompt", query.prompt)]
    return func("AI_COMPLETE", *args, *([options] if options else []))


def _classify(query: AIQuery, call: Call) -> exp.Expr:
    categories = required(query.parameters.categories, "categories", query.function)
    return func(
        "AI_CLASSIFY", call.bind("prompt", query.prompt), array_of(call.bind_list("c", categories))
    )


def _translate(query: AIQuery, call: Call) -> exp.Expr:
    target = required(query.parameters.target_language, "target_language", query.function)
    return cortex(
        "TRANSLATE",
        call.bind("prompt", query.prompt),
        call.bind("source_language", query.parameters.source_language or ""),
        call.bind("target_language", target),
    )


def _extract(query: AIQuery, call: Call) -> exp.Expr:
    fields = required(query.parameters.entities, "entities", query.function)
    return func(
        "AI_EXTRACT", call.bind("prompt", query.prompt), array_of(call.bind_list("e", fields))
    )


def _parse_document(query: AIQuery, call: Call) -> exp.Expr:
    mode = (query.parameters.mode or "LAYOUT").upper()
    return func(
        "AI_PARSE_DOCUMENT",
        func("TO_FILE", call.bind("prompt", query.prompt)),
        func("OBJECT_CONSTRUCT", exp.Literal.string("mode"), call.bind("mode", mode)),
    )


@register_provider
class SnowflakeCortex(SQLProvider):
    name = "snowflake"
    dialect = "snowflake"
    DEFAULT_MODELS = {"complete": "llama3.1-8b", "embed": "snowflake-arctic-embed-m-v1.5"}
    FUNCTIONS = {
        "complete": _complete,
        "classify": _classify,
        "sentiment": lambda q, c: func("AI_SENTIMENT", c.bind("prompt", q.prompt)),
        "summarize": lambda q, c: cortex("SUMMARIZE", c.bind("prompt", q.prompt)),
        "translate": _translate,
        "embed": lambda q, c: func(
            "AI_EMBED", exp.Placeholder(this="model"), c.bind("prompt", q.prompt)
        ),
        "extract": _extract,
        "parse_document": _parse_document,
        "transcribe": lambda q, c: func(
            "AI_TRANSCRIBE", func("TO_FILE", c.bind("prompt", q.prompt))
        ),
    }
