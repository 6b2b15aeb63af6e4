"""Permissions and grants on DuckDB, SQLite and PostgreSQL: roles are the ceiling, grants
narrow, an object without grants is open, and one request reads an object's grants once."""

from __future__ import annotations

import pytest

from trilith.auth.actors import Actor
from trilith.auth.grants import Grant, GrantStore
from trilith.auth.permissions import Permissions, Resource, bind, current, require, unbind
from trilith.engines.base import Engine
from trilith.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from trilith.events import EventBus
from trilith.input_tables.definition import InputTableDefinition
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.service import InputTables
from trilith.metadata.migrations import migrate

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
