from __future__ import annotations

import sys

import pytest

from trilith.engines import create_engine, supported_schemes
from trilith.engines.url import WarehouseURL
from trilith.errors import ConfigurationError, MissingDriver


def test_local_schemes_are_registered() -> None:
    assert {"duckdb", "sqlite", "postgresql"} <= set(supported_schemes())


def test_unknown_scheme_names_the_supported_ones() -> None:
    with pytest.raises(ConfigurationError) as info:
        create_engine("oracle://scott:tiger@db/orcl")
    assert info.value.message.startswith("unknown warehouse URL scheme 'oracle'; supported: ")
    assert "duckdb" in info.value.message
    assert "postgresql" in info.value.message


def test_malformed_url_says_what_a_url_looks_like() -> None:
    with pytest.raises(ConfigurationError, match=r"malformed warehouse URL 'trilith\.duckdb'"):
        create_engine("trilith.duckdb")
    with pytest.raises(ConfigurationError, match="malformed warehouse URL"):
        create_engine("postgresql://u@host:notaport/db")


def test_passwords_are_redacted_in_messages() -> None:
    url = WarehouseURL.parse("postgresql://me:s3cret@db/x")
    assert url.redacted() == "postgresql://me:***@db/x"
    with pytest.raises(ConfigurationError) as info:
        WarehouseURL.parse("postgresql://me:s3cret@db:99999999/x")
    assert "s3cret" not in info.value.message


def test_postgres_alias_and_embedded_paths() -> None:
    assert WarehouseURL.parse("duckdb:///./a/b.duckdb").database_path == "./a/b.duckdb"
    assert WarehouseURL.parse("duckdb:////abs/b.duckdb").database_path == "/abs/b.duckdb"
    assert WarehouseURL.parse("duckdb:///:memory:").database_path == ":memory:"
    assert WarehouseURL.parse("duckdb://").database_path == ":memory:"


def test_a_missing_driver_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg_pool", None)
    with pytest.raises(MissingDriver) as info:
        create_engine("postgres://u@127.0.0.1/db")
    assert info.value.message == (
        "the postgres warehouse needs its driver: pip install 'trilith[postgres]'"
    )
