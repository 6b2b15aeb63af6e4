"""Embed clients and the token-id replay store on every real engine."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlglot import exp

from trilith.embed.store import EmbedClientStore
from trilith.engines.base import Engine
from trilith.errors import ConfigurationError
from trilith.warehouse import Warehouse

MASTER = "a-master-secret-of-thirty-two-bytes-at-least"


@pytest.fixture
def store(engine: Engine, unique_schema: str) -> EmbedClientStore:
    Warehouse(engine, unique_schema).ensure_ready()
    return EmbedClientStore(engine, unique_schema, MASTER)


def test_a_token_id_is_accepted_once(store: EmbedClientStore) -> None:
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert store.claim_jti("emb_a", "t-1", expires)
    assert not store.claim_jti("emb_a", "t-1", expires)
    assert store.claim_jti("emb_b", "t-1", expires)  # ids are per client


def test_expired_token_ids_are_forgotten(store: EmbedClientStore) -> None:
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    assert store.claim_jti("emb_a", "old", long_ago)
    store.claim_jti("emb_a", "other", dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    count = store.engine.fetch_scalar(f"SELECT COUNT(*) FROM {store.schema}.embed_jti")
    assert count == 1


def test_secrets_are_derived_and_change_with_the_master(store: EmbedClientStore) -> None:
    made = store.create("site", "admin", max_role="viewer")
    found = store.secret_for(made["client_id"])
    assert found == (made["secret"], "viewer")
    other = EmbedClientStore(store.engine, store.schema, MASTER + "-changed")
    assert other.secret_for(made["client_id"]) is None
    assert store.secret_for("emb_unknown") is None
    without = EmbedClientStore(store.engine, store.schema, None)
    with pytest.raises(ConfigurationError, match="TRILITH_JWT_SECRET"):
        without.create("x", "admin")


class RacingStore(EmbedClientStore):
    """Its check never sees the row: another process inserts between check and insert."""

    def _claim(
        self,
        key: exp.Condition,
        client_id: str,
        jti: str,
        expires_at: dt.datetime,
        now: dt.datetime,
    ) -> bool:
        return super()._claim(exp.and_(key, exp.false()), client_id, jti, expires_at, now)


def test_a_lost_race_for_a_token_id_is_a_replay(store: EmbedClientStore) -> None:
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert store.claim_jti("emb_a", "raced", expires)
    racing = RacingStore(store.engine, store.schema, MASTER)
    assert racing.claim_jti("emb_a", "raced", expires) is False
    assert racing.claim_jti("emb_a", "fresh", expires) is True
