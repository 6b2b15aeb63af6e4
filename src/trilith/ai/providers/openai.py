"""Any OpenAI-compatible chat endpoint (`POST {base}/chat/completions`): a hosted API,
vLLM, Ollama, or llama-cpp-python's own server.

The model answers prompts, so the functions here are prompt templates; the endpoint
reports its token counts, which usage records instead of estimates. Nothing of the query
reaches SQL: this provider runs outside the warehouse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from trilith.ai.local_models import match_category
from trilith.ai.model import AIQuery
from trilith.ai.providers.base import Provider, required
from trilith.engines.base import Engine
from trilith.errors import ConfigurationError, WarehouseUnavailable

__all__ = ["OpenAICompatible"]

TIMEOUT_S = 60.0
Prompt = Callable[[AIQuery], str]

PROMPTS: dict[str, Prompt] = {
    "complete": lambda q: q.prompt,
    "classify": lambda q: (
        f"Classify the text into exactly one of these categories: "
        f"{', '.join(required(q.parameters.categories, 'categories', q.function))}.\n"
        f"Answer with the category only.\n\nText: {q.prompt}"
    ),
    "summarize": lambda q: f"Summarize the following text in one or two sentences:\n\n{q.prompt}",
    "translate": lambda q: (
        f"Translate the following text into "
        f"{required(q.parameters.target_language, 'target_language', q.function)}. "
        f"Answer with the translation only.\n\n{q.prompt}"
    ),
    "fix_grammar": lambda q: (
        f"Rewrite the following text with its grammar and spelling corrected. "
        f"Answer with the corrected text only.\n\n{q.prompt}"
    ),
}


@dataclass
class OpenAICompatible(Provider):
    base_url: str
    api_key: str | None = None
    default_model: str | None = None

    name = "openai"

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"TRILITH_AI_OPENAI_URL must be an http(s) URL, got {self.base_url!r}"
            )

    def supported(self) -> list[str]:
        return sorted(PROMPTS)

    def model_for(self, query: AIQuery) -> str | None:
        return super().model_for(
            query.model_copy(update={"model": query.model or self.default_model})
        )

    def run(self, query: AIQuery, engine: Engine) -> tuple[Any, int | None]:
        prompt = PROMPTS.get(query.function)
        if prompt is None:
            raise self.unsupported(query)
        body: dict[str, Any] = {
            "model": self.model_for(query) or "default",
            "messages": [{"role": "user", "content": prompt(query)}],
        }
        for name in ("max_tokens", "temperature", "top_p"):
            value = getattr(query.parameters, name)
            if value is not None:
                body[name] = value
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        url = self.base_url.rstrip("/") + "/chat/completions"
        try:
            answer = httpx.post(url, json=body, headers=headers, timeout=TIMEOUT_S)
        except httpx.HTTPError as exc:
            raise WarehouseUnavailable(f"the AI endpoint {url} cannot be reached: {exc}") from exc
        if answer.status_code >= 400:
            raise WarehouseUnavailable(
                f"the AI endpoint answered {answer.status_code}: {answer.text[:300]}"
            )
        data = answer.json()
        text = str(data["choices"][0]["message"]["content"] or "").strip()
        tokens_out = (data.get("usage") or {}).get("completion_tokens")
        if query.function == "classify":
            text = match_category(text, query.parameters.categories or [])
        return text, int(tokens_out) if tokens_out is not None else None
