"""Warehouse-native AI (seed 004 §6): providers that build AI SQL per warehouse, a local
provider inside DuckDB, governance (model access, budgets, usage) and the engine that
ties them together.
"""

from __future__ import annotations

from trilith.ai.engine import AIEngine, choose_provider
from trilith.ai.governance import Governance, ModelAccess, usage_summary
from trilith.ai.model import FUNCTIONS, AIBudgetExceeded, AIQuery, AIResult, AIUnsupported
from trilith.ai.providers import PROVIDERS
from trilith.capabilities import register_capability

__all__ = [
    "FUNCTIONS",
    "PROVIDERS",
    "AIBudgetExceeded",
    "AIEngine",
    "AIQuery",
    "AIResult",
    "AIUnsupported",
    "Governance",
    "ModelAccess",
    "choose_provider",
    "usage_summary",
]


@register_capability("ai_functions")
def _ai_functions() -> list[str]:
    return list(FUNCTIONS)
