"""The `trilith` command, run as a user runs it: a real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from trilith import __version__

TRILITH = [sys.executable, "-m", "trilith.cli"]


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TRILITH, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def test_version() -> None:
    result = run("version")
    assert result.returncode == 0
    assert result.stdout.strip() == __version__


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["serve", "--warehouse", "oracle://x/y"],
            {},
            "unknown warehouse URL scheme 'oracle'; supported: ",
        ),
        (
            ["serve", "--warehouse", "trilith.duckdb"],
            {},
            "malformed warehouse URL 'trilith.duckdb'",
        ),
        (
            ["serve"],
            {"SIGMA_MODE": "sigma", "TRILITH_WAREHOUSE": ""},
            "SIGMA_MODE=sigma needs a warehouse",
        ),
        (["serve"], {"SIGMA_MODE": "prod"}, "invalid configuration: SIGMA_MODE"),
        (
            ["serve", "--host", "0.0.0.0"],
            {"TRILITH_AUTH": "none"},
            "TRILITH_AUTH=none is for local",
        ),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(
    args: list[str], env: dict[str, str], message: str, tmp_path: Path
) -> None:
    result = run(*args, env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_applies_the_app_and_prints_the_generated_token(tmp_path: Path) -> None:
    assert run("init", "starter", cwd=tmp_path).returncode == 0
    spec = tmp_path / "starter" / "app.yaml"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "TRILITH_ADMIN_TOKEN"}
    process = subprocess.Popen(
        [
            *TRILITH,
            "serve",
            str(spec),
            "--warehouse",
            f"duckdb:///{tmp_path}/w.duckdb",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        health = None
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health is not None
        assert health.status_code == 200
        assert health.json()["status"] == "healthy"
        unauthorised = httpx.get(f"http://127.0.0.1:{port}/api/apps")
        assert unauthorised.status_code == 401
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    lines = output.splitlines()
    assert "created app 'starter' (version 1); input tables: requests created" in lines
    marker = next(i for i, line in enumerate(lines) if "this run's admin token is" in line)
    token = lines[marker + 1].strip()
    assert len(token) >= 32
    assert (tmp_path / "w.duckdb").exists()


SHOWCASE = Path(__file__).resolve().parents[1] / "examples" / "showcase" / "app.yaml"


def test_validate_reports_a_valid_app() -> None:
    result = run("validate", str(SHOWCASE))
    assert result.returncode == 0, result.stderr
    assert "app 'showcase' is valid" in result.stdout


def test_validate_lists_problems_with_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: x\ntitle: t\npages:\n  - id: p\n    elements:\n"
        "      - id: c\n        type: container\n        density: 7\n"
    )
    result = run("validate", str(bad))
    assert result.returncode == 1
    assert f"{bad}:8:9: pages[0].elements[0].density: got 7; use one of: 6, 12, 24" in (
        result.stderr
    )


def test_init_apply_export_round_trip(tmp_path: Path) -> None:
    created = run("init", "Expense approvals", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    spec = tmp_path / "Expense approvals" / "app.yaml"
    warehouse = f"duckdb:///{tmp_path}/w.duckdb"
    first = run("apply", str(spec), "--warehouse", warehouse)
    assert first.stdout.strip() == (
        "created app 'expense_approvals' (version 1); input tables: requests created"
    )
    second = run("apply", str(spec), "--warehouse", warehouse)
    assert second.stdout.strip() == "app 'expense_approvals' is unchanged (version 1)"
    exported = run("export", "expense_approvals", "--warehouse", warehouse)
    assert exported.returncode == 0, exported.stderr
    from trilith.spec import load_app, load_app_text

    assert load_app_text(exported.stdout, "exported") == load_app(spec)
    refused = run("init", "Expense approvals", cwd=tmp_path)
    assert refused.returncode == 2
    assert "exists and is not empty" in refused.stderr


def test_export_of_an_unknown_app(tmp_path: Path) -> None:
    result = run("export", "ghost", "--warehouse", f"duckdb:///{tmp_path}/w.duckdb")
    assert result.returncode == 2
    assert "no app 'ghost'" in result.stderr


def test_schema_is_json_schema_for_editors(tmp_path: Path) -> None:
    import json

    out = tmp_path / "schema.json"
    result = run("schema", "--output", str(out))
    assert result.returncode == 0, result.stderr
    schema = json.loads(out.read_text())
    assert schema["$schema"].endswith("2020-12/schema")
    assert "pages" in schema["properties"]


def test_run_action_prints_effects_and_variables(tmp_path: Path) -> None:
    import json

    assert run("init", "starter", cwd=tmp_path).returncode == 0
    warehouse = f"duckdb:///{tmp_path}/w.duckdb"
    assert (
        run("apply", str(tmp_path / "starter" / "app.yaml"), "--warehouse", warehouse).returncode
        == 0
    )
    result = run(
        "run-action",
        "starter",
        "open_new_request",
        "--warehouse",
        warehouse,
        "--control",
        "status_filter=approved",
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["status"] == "completed"
    assert printed["effects"] == [{"type": "open_modal", "modal_id": "new_request"}]
    bad = run("run-action", "starter", "nope", "--warehouse", warehouse)
    assert bad.returncode == 2
    assert "no action sequence 'nope'" in bad.stderr


def test_import_csv_with_a_progress_bar(tmp_path: Path) -> None:
    assert run("init", "starter", cwd=tmp_path).returncode == 0
    warehouse = f"duckdb:///{tmp_path}/w.duckdb"
    assert (
        run("apply", str(tmp_path / "starter" / "app.yaml"), "--warehouse", warehouse).returncode
        == 0
    )
    data = tmp_path / "requests.csv"
    data.write_text('title,amount,status\nLaptops,1200,open\n"Desk, standing",300,open\n')
    result = run("import-csv", str(data), "--table", "requests", "--warehouse", warehouse)
    assert result.returncode == 0, result.stderr
    assert "imported 2 rows into requests" in result.stdout
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("title,amount\na,1\nb,2,3\n")
    refused = run("import-csv", str(ragged), "--table", "requests", "--warehouse", warehouse)
    assert refused.returncode == 2
    assert "line 3: has 3 fields" in refused.stderr


def test_users_add_prints_the_token_on_its_last_line(tmp_path: Path) -> None:
    warehouse = f"duckdb:///{tmp_path}/w.duckdb"
    result = run("users", "add", "Ana Lima", "--role", "editor", "--warehouse", warehouse)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("trl_")
    listed = run("users", "list", "--warehouse", warehouse)
    assert "editor   Ana Lima" in listed.stdout
    bad = run("users", "add", "Bo", "--role", "owner", "--warehouse", warehouse)
    assert bad.returncode == 2
    assert "role must be one of viewer, editor, admin" in bad.stderr
