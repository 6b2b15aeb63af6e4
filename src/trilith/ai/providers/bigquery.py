"""BigQuery AI functions.

`complete` is `AI.GENERATE(prompt, endpoint => model).result` and `classify` is
`AI.CLASSIFY(text, categories => [...])` (a preview function at the time of writing); both
use the caller's credentials unless the project set a default connection. BigQuery ML's
other text functions (ML.GENERATE_EMBEDDING, ML.TRANSLATE, ML.UNDERSTAND_TEXT) are
table functions over a remote model the project must create first; they are not offered
here, so the rest is unsupported on BigQuery.
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

__all__ = ["BigQueryAI"]


def _ai(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Dot.build([exp.to_identifier("AI"), func(name, *args)])


def _complete(query: AIQuery, call: Call) -> exp.Expr:
    generate = _ai(
        "GENERATE",
        call.bind("prompt", query.prompt),
        kwarg("endpoint", exp.Placeholder(this="model")),
    )
    return exp.Dot(this=generate, expression=exp.to_identifier("result"))


def _classify(query: AIQuery, call: Call) -> exp.Expr:
    categories = required(query.parameters.categories, "categories", query.function)
    return _ai(
        "CLASSIFY",
        call.bind("prompt", query.prompt),
        kwarg("categories", array_of(call.bind_list("c", categories))),
    )


@register_provider
class BigQueryAI(SQLProvider):
    name = "bigquery"
    dialect = "bigquery"
    DEFAULT_MODELS = {"complete": "gemini-2.5-flash"}
    FUNCTIONS = {"complete": _complete, "classify": _classify}
