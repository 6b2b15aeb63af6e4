"""Configuration from the environment, and the seed's modes resolved into one engine URL.

`SIGMA_MODE` says which world the server lives in; `DATABASE_MODE` (derived from it when
unset) says which engine backs it:

=================  =================  ============================================
SIGMA_MODE         DATABASE_MODE      engine
=================  =================  ============================================
standalone         embedded           `TRILITH_WAREHOUSE` (DuckDB file by default)
standalone         sqlite             SQLite file (`TRILITH_WAREHOUSE` if sqlite://)
mock_warehouse     mock_warehouse     DuckDB reading Snowflake SQL (`?dialect=snowflake`)
sigma              real_warehouse     `TRILITH_WAREHOUSE`, else built from `SNOWFLAKE_*`
=================  =================  ============================================
"""

from __future__ import annotations

import ipaddress
import secrets
from functools import cached_property
from typing import Literal
from urllib.parse import quote, urlencode

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from trilith.errors import ConfigurationError

__all__ = ["Settings", "is_loopback"]

SigmaMode = Literal["standalone", "mock_warehouse", "sigma"]
DatabaseMode = Literal["embedded", "sqlite", "mock_warehouse", "real_warehouse"]

DEFAULT_WAREHOUSE = "duckdb:///./trilith.duckdb"
DEFAULT_SQLITE = "sqlite:///./trilith.db"
_MODE_TO_DATABASE: dict[str, DatabaseMode] = {
    "standalone": "embedded",
    "mock_warehouse": "mock_warehouse",
    "sigma": "real_warehouse",
}
_EMBEDDED_SCHEMES = ("duckdb", "sqlite")


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    warehouse: str | None = Field(None, validation_alias=_env("TRILITH_WAREHOUSE"))
    sigma_mode: SigmaMode = Field("standalone", validation_alias=_env("SIGMA_MODE"))
    database_mode: DatabaseMode | None = Field(None, validation_alias=_env("DATABASE_MODE"))
    snowflake_account: str | None = Field(None, validation_alias=_env("SNOWFLAKE_ACCOUNT"))
    snowflake_user: str | None = Field(None, validation_alias=_env("SNOWFLAKE_USER"))
    snowflake_password: str | None = Field(None, validation_alias=_env("SNOWFLAKE_PASSWORD"))
    snowflake_warehouse: str | None = Field(None, validation_alias=_env("SNOWFLAKE_WAREHOUSE"))
    snowflake_database: str | None = Field(None, validation_alias=_env("SNOWFLAKE_DATABASE"))
    snowflake_schema: str | None = Field(None, validation_alias=_env("SNOWFLAKE_SCHEMA"))
    snowflake_role: str | None = Field(None, validation_alias=_env("SNOWFLAKE_ROLE"))
    writeback_schema: str = Field("sigds", validation_alias=_env("TRILITH_WRITEBACK_SCHEMA"))
    admin_token: str | None = Field(None, validation_alias=_env("TRILITH_ADMIN_TOKEN"))
    auth: Literal["token", "none"] = Field("token", validation_alias=_env("TRILITH_AUTH"))
    jwt_secret: str | None = Field(None, validation_alias=_env("TRILITH_JWT_SECRET"))
    # Browser sessions (POST /api/session): cookie flags and lifetime.
    session_cookie_secure: bool = Field(
        True, validation_alias=_env("TRILITH_SESSION_COOKIE_SECURE")
    )
    session_samesite: Literal["lax", "strict"] = Field(
        "lax", validation_alias=_env("TRILITH_SESSION_SAMESITE")
    )
    session_hours: float = Field(
        12.0, gt=0, le=24 * 30, validation_alias=_env("TRILITH_SESSION_HOURS")
    )
    redis_url: str | None = Field(None, validation_alias=_env("TRILITH_REDIS_URL"))
    trusted_origins: str = Field("", validation_alias=_env("TRILITH_TRUSTED_ORIGINS"))
    ai_provider: Literal["warehouse", "local", "openai"] | None = Field(
        None, validation_alias=_env("TRILITH_AI_PROVIDER")
    )
    ai_model_access: str = Field("", validation_alias=_env("TRILITH_AI_MODEL_ACCESS"))
    ai_daily_budget: float | None = Field(
        None, ge=0, validation_alias=_env("TRILITH_AI_DAILY_BUDGET")
    )
    ai_openai_url: str | None = Field(None, validation_alias=_env("TRILITH_AI_OPENAI_URL"))
    ai_openai_key: str | None = Field(None, validation_alias=_env("TRILITH_AI_OPENAI_KEY"))
    ai_openai_model: str | None = Field(None, validation_alias=_env("TRILITH_AI_OPENAI_MODEL"))
    action_rate_limit: str = Field("30/minute", validation_alias=_env("TRILITH_ACTION_RATE_LIMIT"))
    status_rate_limit: str = Field("100/minute", validation_alias=_env("TRILITH_STATUS_RATE_LIMIT"))
    log_format: Literal["json", "text"] = Field("text", validation_alias=_env("TRILITH_LOG_FORMAT"))
    health_interval: float = Field(
        15.0, ge=0, le=3600, validation_alias=_env("TRILITH_HEALTH_INTERVAL")
    )
    allowed_hosts: str = Field("", validation_alias=_env("TRILITH_ALLOWED_HOSTS"))
    smtp_url: str | None = Field(None, validation_alias=_env("TRILITH_SMTP_URL"))
    scheduler_interval: float = Field(
        30.0, ge=0, le=3600, validation_alias=_env("TRILITH_SCHEDULER_INTERVAL")
    )
    scheduler_timezone: str = Field("UTC", validation_alias=_env("TRILITH_SCHEDULER_TIMEZONE"))
    host: str = Field("127.0.0.1", validation_alias=_env("TRILITH_HOST"))
    port: int = Field(8000, ge=1, le=65535, validation_alias=_env("TRILITH_PORT"))

    @field_validator("writeback_schema")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not value.replace("_", "").isalnum() or value[0].isdigit():
            raise ValueError(
                f"TRILITH_WRITEBACK_SCHEMA must be a plain identifier (letters, digits, _), "
                f"got {value!r}"
            )
        return value

    @field_validator("ai_model_access")
    @classmethod
    def _model_access(cls, value: str) -> str:
        from trilith.ai.governance import ModelAccess

        ModelAccess.parse(value)
        return value

    @field_validator("action_rate_limit", "status_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        from trilith.ratelimit import parse_rate

        parse_rate(value)
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, value: str) -> str:
        from trilith.actions.delivery import HostAllowlist

        HostAllowlist.parse(value)
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp(cls, value: str | None) -> str | None:
        from trilith.actions.delivery import SmtpServer

        if value:
            SmtpServer.parse(value)
        return value or None

    @field_validator("scheduler_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"TRILITH_SCHEDULER_TIMEZONE must be an IANA time zone such as "
                f"Europe/Paris, got {value!r}"
            ) from None
        return value

    @property
    def resolved_database_mode(self) -> DatabaseMode:
        return self.database_mode or _MODE_TO_DATABASE[self.sigma_mode]

    @cached_property
    def generated_admin_token(self) -> bool:
        return self.admin_token is None

    @cached_property
    def effective_admin_token(self) -> str:
        return self.admin_token or secrets.token_urlsafe(32)

    @cached_property
    def effective_jwt_secret(self) -> str:
        return self.jwt_secret or secrets.token_urlsafe(48)

    @property
    def trusted_origin_list(self) -> list[str]:
        return [o.strip() for o in self.trusted_origins.split(",") if o.strip()]

    def warehouse_url(self) -> str:
        """The engine URL this configuration selects."""
        return _WAREHOUSE_RESOLVERS[self.resolved_database_mode](self)

    def check_bind(self) -> None:
        """Refuse `TRILITH_AUTH=none` on anything but a loopback address."""
        if self.auth == "none" and not is_loopback(self.host):
            raise ConfigurationError(
                f"TRILITH_AUTH=none is for local development only and is refused on "
                f"{self.host!r}; bind to 127.0.0.1 or set TRILITH_AUTH=token"
            )

    def snowflake_url(self) -> str:
        required = {
            "SNOWFLAKE_ACCOUNT": self.snowflake_account,
            "SNOWFLAKE_USER": self.snowflake_user,
        }
        missing = [name for name, value in required.items() if not value]
        if missing:
            raise ConfigurationError(
                f"SIGMA_MODE=sigma needs a warehouse: set TRILITH_WAREHOUSE or "
                f"{', '.join(missing)} (with SNOWFLAKE_PASSWORD, SNOWFLAKE_WAREHOUSE, "
                "SNOWFLAKE_DATABASE, SNOWFLAKE_SCHEMA)"
            )
        auth = quote(self.snowflake_user or "", safe="")
        if self.snowflake_password:
            auth += ":" + quote(self.snowflake_password, safe="")
        path = "/".join(
            quote(part, safe="")
            for part in (self.snowflake_database, self.snowflake_schema)
            if part
        )
        options = {
            k: v
            for k, v in (("warehouse", self.snowflake_warehouse), ("role", self.snowflake_role))
            if v
        }
        query = f"?{urlencode(options)}" if options else ""
        return f"snowflake://{auth}@{self.snowflake_account}/{path}{query}"


def _scheme(url: str) -> str:
    return url.split("://", 1)[0].lower() if "://" in url else ""


def _embedded(settings: Settings) -> str:
    return settings.warehouse or DEFAULT_WAREHOUSE


def _sqlite(settings: Settings) -> str:
    if settings.warehouse and _scheme(settings.warehouse) == "sqlite":
        return settings.warehouse
    return DEFAULT_SQLITE


def _mock_warehouse(settings: Settings) -> str:
    base = settings.warehouse if settings.warehouse else DEFAULT_WAREHOUSE
    if _scheme(base) != "duckdb":
        raise ConfigurationError(
            f"mock_warehouse mode runs on DuckDB; TRILITH_WAREHOUSE is {_scheme(base)}://…, "
            "use a duckdb:// URL or another mode"
        )
    if "dialect=" in base:
        return base
    return f"{base}{'&' if '?' in base else '?'}dialect=snowflake"


def _real_warehouse(settings: Settings) -> str:
    if settings.warehouse and _scheme(settings.warehouse) not in _EMBEDDED_SCHEMES:
        return settings.warehouse
    return settings.snowflake_url()


_WAREHOUSE_RESOLVERS = {
    "embedded": _embedded,
    "sqlite": _sqlite,
    "mock_warehouse": _mock_warehouse,
    "real_warehouse": _real_warehouse,
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
