"""Permissions and grants on DuckDB, SQLite and PostgreSQL: roles are the ceiling, grants
narrow, an object without grants is open, and one request reads an object's grants once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from trilith.apply import apply_app
from trilith.auth.actors import Actor
from trilith.auth.grants import Grant, GrantStore
from trilith.auth.permissions import (
    Permissions,
    Resource,
    bind,
    current,
    require,
    unbind,
    visible_apps,
    visible_tables,
)
from trilith.engines.base import Engine
from trilith.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from trilith.events import EventBus
from trilith.input_tables.definition import InputTableDefinition
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.service import InputTables
from trilith.metadata.migrations import migrate
from trilith.spec import app_from_data

VIEWER = Actor(id="u-viewer", name="vera", role="viewer", teams=frozenset({"sales"}))
EDITOR = Actor(id="u-editor", name="eddie", role="editor")
ADMIN = Actor(id="u-admin", name="ada", role="admin")
TABLE = Resource("input_table", "notes")


class CountingGrants(GrantStore):
    """The real store, counting its lookups."""

    def __init__(self, engine: Engine, schema: str) -> None:
        super().__init__(engine, schema)
        self.lookups = 0

    def governing(self, object_type: str, object_id: str) -> list[Grant]:
        self.lookups += 1
        return super().governing(object_type, object_id)


@pytest.fixture
def grants(engine: Engine, unique_schema: str) -> CountingGrants:
    migrate(engine, unique_schema)
    tables = InputTables(engine, unique_schema, EventBus())
    definition = InputTableDefinition.model_validate(
        {"id": "notes", "name": "Notes", "columns": [{"name": "text"}]}
    )
    tables.create(definition, WriteContext("test"))
    return CountingGrants(engine, unique_schema)


def test_roles_are_the_ceiling_without_grants(grants: CountingGrants) -> None:
    assert Permissions(VIEWER, grants).allowed("view-input-table", TABLE)
    assert not Permissions(VIEWER, grants).allowed("edit-input-table", TABLE)
    assert Permissions(EDITOR, grants).allowed("edit-input-table", TABLE)
    with pytest.raises(PermissionDenied, match="needs the admin role"):
        Permissions(EDITOR, grants).require("manage-input-table", TABLE)
    with pytest.raises(KeyError, match="unknown action"):
        Permissions(EDITOR, grants).require("fly", TABLE)


def test_grants_narrow_by_user_role_and_team(grants: CountingGrants) -> None:
    grants.add("role", "editor", "input_table", "notes", "edit", "test")
    assert not Permissions(VIEWER, grants).allowed("view-input-table", TABLE)
    assert Permissions(EDITOR, grants).allowed("edit-input-table", TABLE)
    assert Permissions(ADMIN, grants).allowed("edit-input-table", TABLE)
    grants.add("team", "sales", "input_table", "notes", "view", "test")
    assert Permissions(VIEWER, grants).allowed("view-input-table", TABLE)
    other = Actor(id="u-other", name="olly", role="editor", teams=frozenset({"sales"}))
    # olly is an editor through the role grant; a team grant cannot lower that
    assert Permissions(other, grants).allowed("edit-input-table", TABLE)


def test_grant_checks_are_cached_per_request(grants: CountingGrants) -> None:
    grants.add("role", "editor", "input_table", "notes", "view", "test")
    checker = Permissions(EDITOR, grants)
    token = bind(checker)
    try:
        for _ in range(5):
            require(EDITOR, "view-input-table", TABLE)
        with pytest.raises(PermissionDenied, match="no edit grant"):
            require(EDITOR, "edit-input-table", TABLE)
        assert grants.lookups == 1
        assert current(EDITOR) is checker
        assert current(VIEWER) is not checker  # another actor never reuses the checker
    finally:
        unbind(token)
    assert current(EDITOR) is not checker


def test_store_validates_and_refuses_duplicates(grants: CountingGrants) -> None:
    with pytest.raises(ValidationFailed, match="level must be one of"):
        grants.add("role", "viewer", "input_table", "notes", "own", "test")
    with pytest.raises(ValidationFailed, match="principal must be one of"):
        grants.add("role", "root", "input_table", "notes", "view", "test")
    with pytest.raises(NotFound, match="no input table 'nope'"):
        grants.add("role", "viewer", "input_table", "nope", "view", "test")
    with pytest.raises(NotFound, match="no user"):
        grants.add("user", "nobody", "input_table", "notes", "view", "test")
    made = grants.add("team", "ops", "input_table", "notes", "view", "test")
    with pytest.raises(Conflict, match="already has grant"):
        grants.add("team", "ops", "input_table", "notes", "edit", "test")
    assert [g.grant_id for g in grants.find("input_table", "notes")] == [made.grant_id]
    grants.revoke(made.grant_id, "test")
    assert grants.find("input_table", "notes") == []
    with pytest.raises(NotFound):
        grants.revoke(made.grant_id, "test")


class CountingBulkGrants(CountingGrants):
    """Also counts the bulk reads and the per-table owner lookups."""

    def __init__(self, engine: Engine, schema: str) -> None:
        super().__init__(engine, schema)
        self.bulk = 0
        self.owner_lookups = 0
        self.owner_reads = 0

    def governing_many(
        self,
        object_type: str,
        object_ids: Sequence[str],
        owners: Mapping[str, str | None] | None = None,
    ) -> dict[str, list[Grant]]:
        self.bulk += 1
        return super().governing_many(object_type, object_ids, owners)

    def apps_of(self, table_ids: Sequence[str]) -> dict[str, str | None]:
        self.owner_reads += 1
        return super().apps_of(table_ids)

    def app_of(self, table_id: str) -> str | None:
        self.owner_lookups += 1
        return super().app_of(table_id)


def test_listing_reads_grants_in_bulk_and_decides_as_one_by_one(
    engine: Engine, unique_schema: str
) -> None:
    """Tables with grants of their own, tables following their app's grants, tables of an
    app without grants and tables of no app: a list check decides each as the per-object
    check does, in a few queries however many tables there are."""
    migrate(engine, unique_schema)
    for app_id, count in (("granted", 3), ("open", 2)):
        spec = {
            "id": app_id,
            "title": app_id,
            "pages": [{"id": "home", "elements": []}],
            "input_tables": [
                {"id": f"{app_id}_{i}", "name": f"t{i}", "columns": [{"name": "x"}]}
                for i in range(count)
            ],
        }
        apply_app(engine, unique_schema, app_from_data(spec), "test")
    tables = InputTables(engine, unique_schema, EventBus())
    for i in range(3):
        definition = {"id": f"loose_{i}", "name": f"l{i}", "columns": [{"name": "x"}]}
        tables.create(InputTableDefinition.model_validate(definition), WriteContext("test"))
    store = CountingBulkGrants(engine, unique_schema)
    store.add("role", "editor", "app", "granted", "view", "test")
    store.add("role", "viewer", "input_table", "granted_1", "view", "test")  # its own decides
    store.add("team", "ops", "input_table", "loose_2", "view", "test")
    listed = [{"id": s["id"]} for s in tables.catalog.summaries()]
    assert len(listed) == 8
    scoped = Actor(id="u-embed", name="em", role="viewer", app_scope="granted")
    for actor in (VIEWER, EDITOR, ADMIN, scoped):
        one_by_one = [
            t["id"]
            for t in listed
            if Permissions(actor, GrantStore(engine, unique_schema)).allowed(
                "view-input-table", Resource("input_table", t["id"])
            )
        ]
        store.lookups = store.bulk = store.owner_lookups = store.owner_reads = 0
        token = bind(Permissions(actor, store))
        try:
            assert [t["id"] for t in visible_tables(actor, listed)] == one_by_one
        finally:
            unbind(token)
        assert store.lookups == 0
        assert store.owner_lookups == 0
        assert store.bulk == (0 if actor.role == "admin" else 1)
        # The tables' apps are read once, for the embed scope and the grants alike.
        assert store.owner_reads == (0 if actor is ADMIN else 1)
    assert one_by_one == ["granted_1"]  # the embed session's: its app's, as granted
    expected = {
        "vera": ["granted_1", "loose_0", "loose_1", "open_0", "open_1"],
        "eddie": ["granted_0", "granted_2", "loose_0", "loose_1", "open_0", "open_1"],
    }
    apps = [{"id": "granted"}, {"id": "open"}]
    for actor in (VIEWER, EDITOR):
        store.bulk = 0
        token = bind(Permissions(actor, store))
        try:
            assert sorted(t["id"] for t in visible_tables(actor, listed)) == expected[actor.name]
            shown = [a["id"] for a in visible_apps(actor, apps)]
        finally:
            unbind(token)
        assert shown == (["granted", "open"] if actor is EDITOR else ["open"])
        assert store.bulk == 2  # one read for the tables, one for the apps
