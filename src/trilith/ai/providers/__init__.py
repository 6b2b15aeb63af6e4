"""AI providers by name: one per warehouse with AI SQL functions, and local (DuckDB)."""

from __future__ import annotations

from trilith.ai.providers import bigquery, databricks, local, redshift, snowflake
from trilith.ai.providers.base import PROVIDERS, Provider

__all__ = ["PROVIDERS", "Provider", "bigquery", "databricks", "local", "redshift", "snowflake"]
