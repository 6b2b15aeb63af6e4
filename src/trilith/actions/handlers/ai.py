"""AI: `ai_query` runs one warehouse-native AI function (seed 004 §3.3, §4.3).

The query text is a value source (a formula such as `="Summarize: " & [Control/Notes]`,
or plain text); its value is the prompt. `model` may be the seed's function path
(`snowflake.cortex.complete`, `databricks.ai.summarize`): its last part names the
function. The result's value is the action's result, so it becomes the action's output
variable (or the one named in its parameters, as the seed writes it); the engine's error handling
(`fail`, `continue`, `retry`) applies as to any action.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from trilith.actions.context import RunContext
from trilith.actions.registry import Parameters, handler
from trilith.ai import config
from trilith.ai.model import FUNCTIONS, AIParameters, AIQuery
from trilith.errors import ValidationFailed


class AIQueryParams(Parameters):
    function: str | None = None
    model: str | None = None
    query: Any = Field(alias="query")
    parameters: AIParameters = Field(default_factory=AIParameters)
    output_variable: str | None = Field(None, alias="outputVariable")
    cost_budget: float | None = Field(None, ge=0, alias="costBudget")

    @model_validator(mode="after")
    def _function(self) -> AIQueryParams:
        if self.function is None:
            last = (self.model or "").rsplit(".", 1)[-1].lower()
            if last in FUNCTIONS:
                self.function, self.model = last, None
            else:
                self.function = "complete"
        if self.function not in FUNCTIONS:
            raise ValueError(
                f"unknown AI function {self.function!r}; known: {', '.join(FUNCTIONS)}"
            )
        return self


@handler("ai_query", "ai", AIQueryParams)
def ai_query(params: AIQueryParams, ctx: RunContext) -> Any:
    prompt = ctx.resolve(params.query)
    if prompt is None:
        raise ValidationFailed("the AI query's text is empty", details=[{"field": "query"}])
    query = AIQuery.model_validate(
        {
            "function": params.function,
            "model": params.model,
            "prompt": str(prompt),
            "parameters": params.parameters,
            "output_variable": params.output_variable,
            "cost_budget": params.cost_budget,
        }
    )
    engine = config.current().engine_for(ctx.engine, ctx.schema)
    result = engine.execute(query, ctx.actor, app_id=ctx.app_id, request_id=ctx.request_id)
    if params.output_variable:
        ctx.variables[params.output_variable] = result.result
    return result.result
