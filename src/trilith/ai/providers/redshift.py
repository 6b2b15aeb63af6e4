"""Amazon Redshift ML.

Redshift has no built-in AI functions: `CREATE MODEL … FUNCTION name` (SageMaker or
Bedrock, e.g. a Bedrock LLM model) creates a SQL function of the user's naming. So
`complete` here calls the function the query's `model` names, with the prompt as its one
argument; every other function is unsupported on Redshift.
"""

from __future__ import annotations

from sqlglot import exp

from trilith.ai.model import AIQuery
from trilith.ai.providers.base import Call, SQLProvider, register_provider
from trilith.errors import ValidationFailed

__all__ = ["RedshiftML"]


def _complete(query: AIQuery, call: Call) -> exp.Expr:
    name = query.model
    if not name or not all(part.isidentifier() for part in name.split(".")):
        raise ValidationFailed(
            "on Redshift, model names the SQL function a CREATE MODEL made "
            "(schema.function or function)",
            details=[{"field": "model"}],
        )
    # The model is a function name, not a value: it is not bound.
    call.params.pop("model", None)
    parts = name.split(".")
    target = exp.Anonymous(this=parts[-1], expressions=[call.bind("prompt", query.prompt)])
    if len(parts) == 1:
        return target
    return exp.Dot.build([*(exp.to_identifier(p) for p in parts[:-1]), target])


@register_provider
class RedshiftML(SQLProvider):
    name = "redshift"
    dialect = "redshift"
    FUNCTIONS = {"complete": _complete}
