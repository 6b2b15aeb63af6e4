"""Apps stored in the write-back schema, on every local engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlglot import exp

from trilith.engines import Engine
from trilith.errors import Conflict, NotFound
from trilith.metadata import migrate
from trilith.metadata.apps import AppStore
from trilith.spec import App, dump_app_yaml, load_app, load_app_text
from trilith.spec.edits import insert_element, remove_element, update_element
from trilith.sql.ddl import table

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(ROOT.glob("examples/*/app.yaml"))
TEMPLATE = ROOT / "src" / "trilith" / "templates" / "app.yaml"


def template_app() -> App:
    text = TEMPLATE.read_text().replace("__APP_ID__", "starter").replace("__APP_TITLE__", "Starter")
    return load_app_text(text, "template")


@pytest.fixture
def store(engine: Engine, unique_schema: str) -> AppStore:
    migrate(engine, unique_schema)
    return AppStore(engine, unique_schema)


def test_examples_exist() -> None:
    assert EXAMPLES, "examples/*/app.yaml is what the round-trip tests run on"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_load_apply_export_load_is_equal(store: AppStore, path: Path) -> None:
    app = load_app(path)
    store.apply(app, "tester")
    exported = dump_app_yaml(store.get(app.id).app)
    assert load_app_text(exported, "exported.yaml") == app


def test_apply_is_idempotent_and_reports_changes(store: AppStore) -> None:
    app = template_app()
    first = store.apply(app, "tester")
    assert (first.created, first.changed, first.version) == (True, True, 1)
    assert "header" in first.added
    again = store.apply(app, "tester")
    assert (again.created, again.changed, again.version) == (False, False, 1)
    assert again.summary() == "app 'starter' is unchanged (version 1)"

    edited = update_element(app, "header", {"content": "# Changed"})
    edited = remove_element(edited, "new_request_help")
    edited = insert_element(edited, {"id": "note", "type": "text", "content": "hi"})
    report = store.apply(edited, "tester")
    assert (report.version, report.added, report.removed) == (2, ["note"], ["new_request_help"])
    assert report.modified == ["header"]
    assert "1 added: note; 1 removed: new_request_help; 1 changed: header" in report.summary()


def test_elements_are_rows_with_parent_and_nesting(store: AppStore) -> None:
    app = load_app(ROOT / "examples" / "showcase" / "app.yaml")
    store.apply(app, "tester")
    rows = {row["id"]: row for row in store.elements_of(app_id=app.id)}
    nested = [row for row in rows.values() if row["parent_id"] is not None]
    assert nested, "the showcase nests elements"
    for row in nested:
        parent = rows[row["parent_id"]]
        assert row["nesting_level"] == parent["nesting_level"] + 1
        assert "children" not in row["config"]
    tabbed = [row for row in rows.values() if row["tab_id"] is not None]
    assert all(rows[row["parent_id"]]["type"] == "tabs" for row in tabbed)


def test_unchanged_elements_keep_their_stamps(store: AppStore, engine: Engine) -> None:
    app = template_app()
    store.apply(app, "first")
    store.apply(update_element(app, "header", {"content": "# New"}), "second")
    rows = {row["id"]: row for row in store.elements_of(app_id=app.id)}
    assert rows["header"]["created_by"] == "first"
    assert rows["header"]["updated_by"] == "second"
    assert rows["requests_grid"]["updated_by"] == "first"


def test_stale_version_is_a_conflict_and_changes_nothing(store: AppStore) -> None:
    app = template_app()
    store.apply(app, "tester")
    store.apply(update_element(app, "header", {"content": "# v2"}), "tester")
    late = update_element(app, "header", {"content": "# lost update"})
    with pytest.raises(Conflict, match="is at version 2, not 1"):
        store.apply(late, "tester", expected_version=1)
    assert store.get(app.id).app.pages[0].elements[0].content == "# v2"  # type: ignore[union-attr]


def test_every_apply_is_audited(store: AppStore, engine: Engine, unique_schema: str) -> None:
    app = template_app()
    store.apply(app, "alice", request_id="r1")
    store.apply(app, "alice", request_id="r2")  # unchanged: nothing to audit
    store.delete(app.id, "bob", request_id="r3")
    audit = engine.fetch_dicts(
        exp.select("actor", "action", "target_id", "request_id", "parameters")
        .from_(table(unique_schema, "audit_log"))
        .order_by("at", "request_id")
    )
    assert [(a["actor"], a["action"], a["request_id"]) for a in audit] == [
        ("alice", "apply-app", "r1"),
        ("bob", "delete-app", "r3"),
    ]
    assert json.loads(audit[0]["parameters"]) == {"version": 1}
    with pytest.raises(NotFound):
        store.get(app.id)
    assert store.elements_of(app_id=app.id) == []


def test_missing_app_is_not_found(store: AppStore) -> None:
    with pytest.raises(NotFound, match="no app 'ghost'"):
        store.get("ghost")
