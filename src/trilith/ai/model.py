"""What an AI query asks and what it answers (seed 004 §6.1 `AIQuery`, `AIResult`).

An `AIQuery` names one function of `FUNCTIONS`, the text (or, for documents and audio, the
file location) it works on, and the function's parameters. Providers turn it into one
warehouse statement; `AIResult` carries the value and what it cost.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from trilith.errors import TrilithError, ValidationFailed

__all__ = [
    "FUNCTIONS",
    "AIBudgetExceeded",
    "AIFunction",
    "AIParameters",
    "AIQuery",
    "AIResult",
    "AIUnsupported",
]

AIFunction = Literal[
    "complete",
    "classify",
    "sentiment",
    "summarize",
    "translate",
    "embed",
    "extract",
    "parse_document",
    "transcribe",
    "fix_grammar",
    "mask",
]
FUNCTIONS: tuple[str, ...] = AIFunction.__args__  # type: ignore[attr-defined]


class AIParameters(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    max_tokens: int | None = Field(None, ge=1, le=32_768, alias="maxTokens")
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1, alias="topP")
    categories: list[str] | None = Field(None, min_length=2)
    source_language: str | None = Field(None, alias="sourceLanguage", max_length=16)
    target_language: str | None = Field(None, alias="targetLanguage", max_length=16)
    # `extract`: the questions or fields to pull out; `mask`: the entity types to hide.
    entities: list[str] | None = Field(None, min_length=1)
    # `parse_document`: OCR or LAYOUT (Snowflake's modes).
    mode: str | None = Field(None, max_length=32)


class AIQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    function: AIFunction
    model: str | None = Field(None, max_length=200)
    prompt: str = Field(max_length=1_000_000)
    parameters: AIParameters = Field(default_factory=AIParameters)
    output_variable: str | None = Field(None, alias="outputVariable", max_length=200)
    cost_budget: float | None = Field(None, ge=0, alias="costBudget")


class AIResult(BaseModel):
    result: Any
    function: str
    provider: str
    model: str | None
    tokens_in: int
    tokens_out: int
    cost: float
    execution_ms: float
    confidence: float | None = None


class AIUnsupported(ValidationFailed):
    """The function exists in Trilith but not on the chosen provider."""

    error_type = "ai_function_unsupported"


class AIBudgetExceeded(TrilithError):
    """The estimated or spent cost is over a budget: refused before the model runs."""

    status_code = 402
    error_type = "ai_budget_exceeded"
