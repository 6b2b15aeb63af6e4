"""The AI configuration a server runs with, installed once by `create_app` (as delivery's
is), so the `ai_query` action and the `/api/ai` routes govern queries the same way."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from trilith.ai.engine import AIEngine, choose_provider
from trilith.ai.governance import Governance, ModelAccess, Usage
from trilith.ai.providers.openai import OpenAICompatible
from trilith.engines.base import Engine
from trilith.settings import Settings

__all__ = ["AIConfig", "configure", "current"]


@dataclass(frozen=True)
class AIConfig:
    provider: str | None = None
    access: ModelAccess = field(default_factory=lambda: ModelAccess({}))
    daily_budget: float | None = None
    openai: OpenAICompatible | None = None
    # Told of every AI call recorded, whichever route or action made it (the server's metrics).
    on_usage: Callable[[Usage], None] | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, on_usage: Callable[[Usage], None] | None = None
    ) -> AIConfig:
        openai = (
            OpenAICompatible(
                settings.ai_openai_url, settings.ai_openai_key, settings.ai_openai_model
            )
            if settings.ai_openai_url
            else None
        )
        return cls(
            settings.ai_provider,
            ModelAccess.parse(settings.ai_model_access),
            settings.ai_daily_budget,
            openai,
            on_usage,
        )

    def engine_for(self, engine: Engine, schema: str) -> AIEngine:
        governance = Governance(
            engine,
            schema,
            access=self.access,
            daily_budget=self.daily_budget,
            on_usage=self.on_usage,
        )
        return AIEngine(
            engine, schema, choose_provider(engine, self.provider, self.openai), governance
        )


_config: AIConfig | None = None
_config_lock = threading.Lock()


def configure(config: AIConfig | None) -> None:
    """Install the configuration (None: read the environment again when next needed)."""
    global _config
    with _config_lock:
        _config = config


def current() -> AIConfig:
    global _config
    with _config_lock:
        if _config is None:
            _config = AIConfig.from_settings(Settings())
        return _config
