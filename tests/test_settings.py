from __future__ import annotations

import re

import pytest

from trilith.errors import ConfigurationError
from trilith.settings import Settings, is_loopback


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TRILITH_WAREHOUSE", "SIGMA_MODE", "DATABASE_MODE", "TRILITH_AUTH"):
        monkeypatch.delenv(name, raising=False)
    for part in ("ACCOUNT", "USER", "PASSWORD", "WAREHOUSE", "DATABASE", "SCHEMA", "ROLE"):
        monkeypatch.delenv(f"SNOWFLAKE_{part}", raising=False)


def test_default_is_an_embedded_duckdb_file() -> None:
    settings = Settings()
    assert settings.sigma_mode == "standalone"
    assert settings.resolved_database_mode == "embedded"
    assert settings.warehouse_url() == "duckdb:///./trilith.duckdb"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_MODE": "sqlite"}, "sqlite:///./trilith.db"),
        ({"DATABASE_MODE": "sqlite", "TRILITH_WAREHOUSE": "sqlite:///x.db"}, "sqlite:///x.db"),
        ({"SIGMA_MODE": "mock_warehouse"}, "duckdb:///./trilith.duckdb?dialect=snowflake"),
        (
            {"SIGMA_MODE": "mock_warehouse", "TRILITH_WAREHOUSE": "duckdb:///:memory:"},
            "duckdb:///:memory:?dialect=snowflake",
        ),
        ({"TRILITH_WAREHOUSE": "postgresql://u@h/db"}, "postgresql://u@h/db"),
        (
            {"SIGMA_MODE": "sigma", "TRILITH_WAREHOUSE": "postgresql://u@h/db"},
            "postgresql://u@h/db",
        ),
    ],
)
def test_modes_resolve_to_one_engine_url(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Settings().warehouse_url() == expected


def test_sigma_mode_builds_the_snowflake_url_from_the_seed_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SIGMA_MODE", "sigma")
    monkeypatch.setenv("SNOWFLAKE_ACCOUNT", "xy12345.eu-west-1")
    monkeypatch.setenv("SNOWFLAKE_USER", "analyst")
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", "p@ss/word")
    monkeypatch.setenv("SNOWFLAKE_WAREHOUSE", "COMPUTE_WH")
    monkeypatch.setenv("SNOWFLAKE_DATABASE", "ANALYTICS")
    monkeypatch.setenv("SNOWFLAKE_SCHEMA", "PUBLIC")
    settings = Settings()
    assert settings.resolved_database_mode == "real_warehouse"
    assert settings.warehouse_url() == (
        "snowflake://analyst:p%40ss%2Fword@xy12345.eu-west-1/ANALYTICS/PUBLIC?warehouse=COMPUTE_WH"
    )


def test_sigma_mode_without_credentials_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGMA_MODE", "sigma")
    with pytest.raises(ConfigurationError, match="set TRILITH_WAREHOUSE or SNOWFLAKE_ACCOUNT"):
        Settings().warehouse_url()


def test_mock_warehouse_refuses_a_non_duckdb_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGMA_MODE", "mock_warehouse")
    monkeypatch.setenv("TRILITH_WAREHOUSE", "postgresql://u@h/db")
    with pytest.raises(ConfigurationError, match="mock_warehouse mode runs on DuckDB"):
        Settings().warehouse_url()


def test_auth_none_only_on_loopback() -> None:
    Settings(auth="none", host="127.0.0.1").check_bind()
    Settings(auth="none", host="::1").check_bind()
    with pytest.raises(ConfigurationError, match=re.escape("refused on '0.0.0.0'")):
        Settings(auth="none", host="0.0.0.0").check_bind()
    Settings(auth="token", host="0.0.0.0").check_bind()


def test_writeback_schema_must_be_an_identifier() -> None:
    with pytest.raises(ValueError, match="TRILITH_WRITEBACK_SCHEMA must be a plain identifier"):
        Settings(writeback_schema='sigds"; drop')


def test_admin_token_is_generated_once_when_unset() -> None:
    settings = Settings()
    assert settings.generated_admin_token
    assert settings.effective_admin_token == settings.effective_admin_token
    assert len(settings.effective_admin_token) >= 32
    assert not Settings(admin_token="given").generated_admin_token


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("localhost", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
