"""The deployment files (deploy/) and serving with several uvicorn workers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest
from ruamel.yaml import YAML

from tests.api.conftest import AUTH, TOKEN
from tests.ops.conftest import TRILITH, free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COMPOSE = DEPLOY / "docker-compose.yml"


def compose_command() -> list[str] | None:
    """`docker compose` (v2) when it answers, else the standalone `docker-compose`."""
    candidates = [["docker", "compose"], ["docker-compose"]]
    for command in candidates:
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run([*command, "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return command
    return None


def test_docker_compose_config_validates() -> None:
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    env = {**os.environ, "TRILITH_ADMIN_TOKEN": "t" * 32, "TRILITH_JWT_SECRET": "s" * 48}
    result = subprocess.run(
        [*command, "-f", str(COMPOSE), "config"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    config = YAML(typ="safe").load(result.stdout)
    assert set(config["services"]) == {"app", "postgres", "redis", "prometheus"}
    app = config["services"]["app"]
    assert app["environment"]["TRILITH_REDIS_URL"] == "redis://redis:6379/0"
    assert app["environment"]["TRILITH_WAREHOUSE"].startswith("postgresql://")
    # Without the secrets, the file refuses to start rather than generating them.
    bare = {k: v for k, v in env.items() if k not in ("TRILITH_ADMIN_TOKEN", "TRILITH_JWT_SECRET")}
    refused = subprocess.run(
        [*command, "-f", str(COMPOSE), "config"], capture_output=True, text=True, env=bare
    )
    assert refused.returncode != 0
    assert "TRILITH_ADMIN_TOKEN" in refused.stderr


def test_compose_file_wires_the_services() -> None:
    compose = YAML(typ="safe").load(COMPOSE.read_text())
    services = compose["services"]
    assert services["app"]["build"]["dockerfile"] == "deploy/Dockerfile"
    assert set(services["app"]["depends_on"]) == {"postgres", "redis"}
    mounts = " ".join(services["prometheus"]["volumes"])
    assert "./prometheus.yml:/etc/prometheus/prometheus.yml" in mounts
    scrape = YAML(typ="safe").load((DEPLOY / "prometheus.yml").read_text())
    job = scrape["scrape_configs"][0]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == ["app:8000"]


def test_dockerfile_builds_the_ui_installs_the_package_and_runs_unprivileged() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w+)", text, flags=re.MULTILINE)
    assert stages == ["web", "build", "runtime"]
    assert "npm ci" in text
    assert "npm run build" in text
    assert "pip install ." in text
    assert "COPY --from=web" in text
    assert "COPY --from=build" in text
    users = re.findall(r"^USER (\S+)", text, flags=re.MULTILINE)
    assert users
    assert users[-1] not in ("root", "0")
    assert re.search(r'^CMD \["trilith", "serve"', text, flags=re.MULTILINE)


def test_several_workers_refuse_a_single_process_warehouse(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(TRILITH),
            "serve",
            "--workers",
            "2",
            "--warehouse",
            f"duckdb:///{tmp_path}/w.duckdb",
            "--port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TRILITH_ADMIN_TOKEN": TOKEN},
    )
    assert result.returncode != 0
    assert "--workers 2 needs a warehouse that several processes can share" in (
        result.stdout + result.stderr
    )


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_serving_with_two_uvicorn_workers(
    postgres_server: str, redis_url: str, tmp_path: Path
) -> None:
    port = free_port()
    schema = f"workers_{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRILITH_")},
        "TRILITH_WAREHOUSE": postgres_server,
        "TRILITH_REDIS_URL": redis_url,
        "TRILITH_ADMIN_TOKEN": TOKEN,
        "TRILITH_WRITEBACK_SCHEMA": schema,
        "TRILITH_LOG_FORMAT": "json",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = (tmp_path / "workers.log").open("wb")
    process = subprocess.Popen(
        [str(TRILITH), "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, (tmp_path / "workers.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the workers did not become healthy"
            time.sleep(0.3)

        def started() -> int:
            text = (tmp_path / "workers.log").read_text()
            return text.count('"message": "Application startup complete."')

        while started() < 2:
            assert time.monotonic() < deadline, "the second worker did not start"
            time.sleep(0.3)
        for _ in range(12):  # new connections: the kernel spreads them over the workers
            assert httpx.get(f"{url}/api/sigma/status", headers=AUTH).status_code == 200
        metrics = httpx.get(f"{url}/metrics").text
        counted = re.search(
            r'trilith_http_requests_total\{method="GET",route="/api/sigma/status",status="200"\} '
            r"([0-9.]+)",
            metrics,
        )
        # Counted across both workers (multiprocess mode), whichever worker answered.
        assert counted is not None
        assert float(counted.group(1)) == 12.0
    finally:
        os.killpg(process.pid, 15)
        process.wait(30)
        log.close()
        with psycopg.connect(postgres_server, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
