"""Single-row edits over HTTP against a raw one-row transaction on the same engine.

    python bench/row_edits.py [--edits 2000] [--engine duckdb|postgres|both] [--ceiling]

The server runs in its own process (uvicorn, one worker) on a loopback port; each edit is
`PATCH …/rows/{id}` with the version just read (validation, version check, write, edit
log, event). The client is the standard library's `http.client` on one keep-alive
connection: it costs ~0.2 ms of CPU a request, httpx ~0.7 ms, on the same two cores as the
server, and the client is not what is measured. The reference, in the same run on the same engine, is one transaction that
updates the row and inserts one audit row. Prints edits/s of both, their ratio (target
≥ 0.5) and the HTTP p50/p99 latency (target p99 < 25 ms); for reading them, the raw
transaction's p50/p99 and the rate of an authenticated GET that does no warehouse work
(the HTTP stack alone) with the ratio of an edit that did no more than that GET plus the
raw transaction (floor / (floor + raw)), and the server process's CPU time per edit and
per GET, which the machine's other load disturbs far less than the rates.

With `--ceiling` it also measures the ratio this edit would reach if authentication,
routing and the framework cost nothing: the same edit called in process
(`InputTables.update`, no HTTP) plus one round trip to an ASGI app that does nothing
(`bench/bare_asgi.py` on the same uvicorn).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql
from sqlglot import exp

from trilith.engines import create_engine
from trilith.events import EventBus
from trilith.input_tables.definition import InputTableDefinition
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.service import InputTables
from trilith.sql import param
from trilith.sql.ddl import ColumnSpec, create_schema, create_table, table
from trilith.warehouse import Warehouse

POSTGRES = os.environ.get(
    "TRILITH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TOKEN = "bench-token"
WARMUP = 50
DEFINITION = {
    "name": "bench",
    "columns": [
        {"name": "title", "type": "text", "required": True},
        {"name": "amount", "type": "number", "validation": {"min": 0}},
    ],
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "TRILITH_ADMIN_TOKEN": TOKEN, "TRILITH_WAREHOUSE": url}
    return _started([sys.executable, "-m", "trilith.cli", "serve", "--port"], env, "/health")


def serve_bare() -> tuple[subprocess.Popen[bytes], str]:
    """`bench/bare_asgi.py` on uvicorn, one worker, as `trilith serve` runs (httptools on
    uvloop where `uvicorn[standard]` is installed)."""
    app_dir = str(Path(__file__).parent)
    command = [sys.executable, "-m", "uvicorn", "bare_asgi:app", "--app-dir", app_dir]
    return _started([*command, "--log-level", "warning", "--port"], dict(os.environ), "/")


def _started(
    command: list[str], env: dict[str, str], probe: str
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [*command, str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}{probe}", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process has used, where /proc tells it: a measure of
    the server's own work that the machine's other load disturbs far less than rates."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _per_request_ms(before: float | None, after: float | None, requests: int) -> float | None:
    if before is None or after is None:
        return None
    return (after - before) / requests * 1000


class Client:
    """JSON over one keep-alive HTTP/1.1 connection."""

    def __init__(self, base: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port))
        self.headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: object = None) -> tuple[int, bytes]:
        payload = None if body is None else json.dumps(body).encode()
        self.connection.request(method, path, payload, self.headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def json(self, method: str, path: str, body: object = None) -> Any:
        status, data = self.call(method, path, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {data[:300]!r}")
        return json.loads(data)

    def close(self) -> None:
        self.connection.close()


def http_floor(client: Client, requests: int, pid: int) -> tuple[float, float | None]:
    """Requests/s of an authenticated GET that does no warehouse work, and the server's
    CPU ms per request: what the HTTP stack alone costs on this machine."""
    # A refused or missing route answers faster than a real one: make sure it is a 200.
    client.json("GET", "/api/sigma/capabilities")
    for _ in range(WARMUP):
        client.call("GET", "/api/sigma/capabilities")
    cpu = cpu_seconds(pid)
    started = time.perf_counter()
    for _ in range(requests):
        client.call("GET", "/api/sigma/capabilities")
    rate = requests / (time.perf_counter() - started)
    return rate, _per_request_ms(cpu, cpu_seconds(pid), requests)


# edits/s, latencies, the server's CPU ms per edit, then the same two for the no-op GET.
HttpResult = tuple[float, list[float], float | None, float, float | None]


def http_edits(url: str, edits: int) -> HttpResult:
    process, base = serve(url)
    try:
        client = Client(base)
        try:
            table_id = client.json("POST", "/api/sigma/input-tables", DEFINITION)["id"]
            row = client.json(
                "POST",
                f"/api/sigma/input-tables/{table_id}/rows",
                {"rows": [{"title": "t", "amount": 0}]},
            )["rows"][0]
            path = f"/api/sigma/input-tables/{table_id}/rows/{row['_row_id']}"
            version = row["_version"]
            latencies: list[float] = []
            started = 0.0
            cpu: float | None = None
            for i in range(WARMUP + edits):
                if i == WARMUP:
                    cpu = cpu_seconds(process.pid)
                    started = time.perf_counter()
                t0 = time.perf_counter()
                status, data = client.call(
                    "PATCH", path, {"values": {"amount": i}, "expected_version": version}
                )
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    raise RuntimeError(f"edit {i} failed: {status} {data[:300]!r}")
                version = json.loads(data)["_version"]
            elapsed = time.perf_counter() - started
            edit_cpu = _per_request_ms(cpu, cpu_seconds(process.pid), edits)
            floor, floor_cpu = http_floor(client, min(edits, 1000), process.pid)
            return edits / elapsed, latencies[WARMUP:], edit_cpu, floor, floor_cpu
        finally:
            client.close()
    finally:
        process.terminate()
        process.wait(20)


def bare_round_trips(requests: int) -> float:
    """Round trips/s to `bare_asgi`, each carrying an edit's body."""
    process, base = serve_bare()
    client = Client(base)
    try:
        body = {"values": {"amount": 1}, "expected_version": 1}
        for _ in range(WARMUP):
            client.call("PATCH", "/rows/r", body)
        started = time.perf_counter()
        for _ in range(requests):
            client.call("PATCH", "/rows/r", body)
        return requests / (time.perf_counter() - started)
    finally:
        client.close()
        process.terminate()
        process.wait(20)


def service_edits(url: str, edits: int) -> float:
    """Edits/s of the same edit called in process: `InputTables.update`, as the route
    calls it, on a table of the same shape, without HTTP."""
    engine = create_engine(url)
    try:
        Warehouse(engine, "bench_service").ensure_ready()
        tables = InputTables(engine, "bench_service", EventBus())
        context = WriteContext("bench", None, "api")
        definition = InputTableDefinition.model_validate(DEFINITION)
        table_id = tables.create(definition, context)["id"]
        row = tables.insert(table_id, [{"title": "t", "amount": 0}], context)[1][0]
        version, started = row["_version"], 0.0
        for i in range(WARMUP + edits):
            if i == WARMUP:
                started = time.perf_counter()
            _, rows = tables.update(table_id, row["_row_id"], {"amount": i}, version, context)
            version = rows[0]["_version"]
        return edits / (time.perf_counter() - started)
    finally:
        engine.close()


def ceiling(url: str, edits: int) -> tuple[float, float, float]:
    """The in-process edit rate, the bare round-trip rate, and the edit rate of a server
    that spent nothing but those two (their times added)."""
    service = service_edits(url, edits)
    bare = bare_round_trips(min(edits, 2000))
    return service, bare, 1 / (1 / service + 1 / bare)


def raw_edits(url: str, edits: int) -> tuple[float, list[float], float]:
    engine = create_engine(url)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    rows, audit = table(schema, "rows"), table(schema, "audit")
    engine.execute(create_schema(schema))
    engine.execute(
        create_table(
            rows,
            [ColumnSpec("id", "TEXT"), ColumnSpec("v", "BIGINT"), ColumnSpec("amount", "DOUBLE")],
        )
    )
    engine.execute(
        create_table(
            audit,
            [ColumnSpec("id", "TEXT"), ColumnSpec("at", "TIMESTAMP"), ColumnSpec("what", "TEXT")],
        )
    )
    engine.execute(
        exp.insert(
            exp.select(exp.Literal.string("r"), exp.Literal.number(1), exp.Literal.number(0)), rows
        )
    )
    update = exp.update(
        rows,
        {"amount": param("a"), "v": exp.column("v") + 1},
        where=exp.and_(
            exp.column("id").eq(exp.Literal.string("r")), exp.column("v").eq(param("v"))
        ),
    )
    log = exp.insert(exp.select(param("id"), exp.func("CURRENT_TIMESTAMP"), param("what")), audit)
    started = cpu = 0.0
    latencies: list[float] = []
    for i in range(WARMUP + edits):
        if i == WARMUP:
            started, cpu = time.perf_counter(), time.process_time()
        t0 = time.perf_counter()
        with engine.transaction() as session:
            session.execute(update, {"a": i, "v": i + 1})
            session.execute(log, {"id": uuid.uuid4().hex, "what": "edit"})
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    cpu_ms = (time.process_time() - cpu) / edits * 1000
    engine.close()
    return edits / elapsed, latencies[WARMUP:], cpu_ms


def fresh_postgres() -> tuple[str, str]:
    name = f"trilith_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{POSTGRES.rsplit('/', 1)[0]}/{name}", name


def drop_postgres(name: str) -> None:
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} ms"


def report(
    engine: str,
    http: HttpResult,
    raw: tuple[float, list[float], float],
    bound: tuple[float, float, float] | None,
) -> None:
    http_rate, latencies, edit_cpu, floor, floor_cpu = http
    raw_rate, raw_latencies, raw_cpu = raw
    p50, p99 = _percentiles(latencies)
    raw_p50, raw_p99 = _percentiles(raw_latencies)
    print(
        f"{engine:9s} http {http_rate:8.0f} edits/s | raw {raw_rate:8.0f} tx/s | "
        f"ratio {http_rate / raw_rate:.2f} (target >= 0.5) | p50 {p50:.2f} ms | "
        f"p99 {p99:.2f} ms (target < 25)\n"
        f"{'':9s} raw p50 {raw_p50:.2f} ms, p99 {raw_p99:.2f} ms | HTTP floor (authenticated "
        f"GET, no warehouse work) {floor:.0f} req/s = {floor / raw_rate:.2f}x raw; an edit "
        f"costing that GET plus the raw transaction: {floor / (floor + raw_rate):.2f}x raw\n"
        f"{'':9s} CPU: server {_ms(edit_cpu)} per edit, {_ms(floor_cpu)} per no-op GET; "
        f"raw client {raw_cpu:.2f} ms per transaction"
    )
    if bound is not None:
        service, bare, best = bound
        print(
            f"{'':9s} ceiling: in process {service:.0f} edits/s ({1000 / service:.2f} ms) + "
            f"bare ASGI round trip {bare:.0f}/s ({1000 / bare:.2f} ms) = {best:.0f} edits/s "
            f"= {best / raw_rate:.2f}x raw at best"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=2000)
    parser.add_argument("--engine", choices=["duckdb", "postgres", "both"], default="both")
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also measure the best ratio a framework-free server could reach",
    )
    args = parser.parse_args()
    engines = ["duckdb", "postgres"] if args.engine == "both" else [args.engine]
    for engine in engines:
        if engine == "duckdb":
            with tempfile.TemporaryDirectory() as folder:
                http = http_edits(f"duckdb:///{Path(folder) / 'server.duckdb'}", args.edits)
                raw = raw_edits(f"duckdb:///{Path(folder) / 'raw.duckdb'}", args.edits)
                service = f"duckdb:///{Path(folder) / 'service.duckdb'}"
                bound = ceiling(service, args.edits) if args.ceiling else None
        else:
            url, name = fresh_postgres()
            try:
                http = http_edits(url, args.edits)
                raw = raw_edits(url, args.edits)
                bound = ceiling(url, args.edits) if args.ceiling else None
            finally:
                drop_postgres(name)
        report(engine, http, raw, bound)


if __name__ == "__main__":
    main()
