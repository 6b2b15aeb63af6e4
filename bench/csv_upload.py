"""A CSV file uploaded over HTTP into a new CSV input table, against the engine's own ingest.

    python bench/csv_upload.py [--rows 2000000] [--engine duckdb|postgres|both] [--keyed]

Generates a file of `--rows` rows (eight columns: integers, a number, text with quotes and
delimiters inside, a date, a date-time, a checkbox; about 80 bytes a row, so 2 M rows is
~160 MB) in a temporary directory. For each engine, in the same run:

* reference: the engine ingests the file itself (DuckDB `CREATE TABLE … AS SELECT * FROM
  read_csv(…)`; PostgreSQL `COPY … FROM STDIN` into a table of the same types);
* trilith: the server (uvicorn in its own process, one worker, on a loopback port; DuckDB
  file warehouse, or a fresh PostgreSQL database) receives the file as a multipart
  `POST /api/sigma/input-tables`: streamed to disk, checked, types inferred, rows written
  with system columns and the import's edit-log entry, in one transaction.

Each side is the faster of two runs, each run in a database of its own (on PostgreSQL
from a `CHECKPOINT`, so no run pays for another's write-ahead log or autovacuum).

Prints rows/s of both, their ratio (target ≥ 0.5) and the server's peak RSS (VmHWM;
target < 1 GB).

With `--keyed`, DuckDB also times its own ingest into a table that only adds what an input
table cannot do without, a text row id numbered after the load and a primary key on it
(DuckDB's types and sniffer, no checks, no other system columns; the fastest of the ways
to number and key the rows that were tried): what the key alone costs, against the
reference.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import httpx
import psycopg
from psycopg import sql

POSTGRES = os.environ.get(
    "TRILITH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TOKEN = "bench-token"
RUNS = 2  # of the reference and of the upload; the faster counts
COLUMNS = (
    ("id", "BIGINT"),
    ("name", "TEXT"),
    ("amount", "DOUBLE PRECISION"),
    ("quantity", "BIGINT"),
    ("order_date", "DATE"),
    ("updated_at", "TIMESTAMP"),
    ("active", "BOOLEAN"),
    ("note", "TEXT"),
)


@dataclass
class Result:
    engine: str
    rows: int
    reference_s: float
    upload_s: float
    import_s: float  # the server's own time for the import, after the upload
    peak_rss_mb: float
    keyed_s: float | None = None  # the engine's own ingest with a row-id primary key

    @property
    def ratio(self) -> float:
        return self.reference_s / self.upload_s


def generate(path: Path, rows: int) -> None:
    """The test file, written by DuckDB (fast, and quoting only where needed)."""
    with duckdb.connect() as connection:
        connection.execute("SET enable_progress_bar = false")
        connection.execute(
            f"""COPY (
                SELECT i AS id,
                       'customer ' || (i % 9973) || CASE WHEN i % 10 = 0 THEN ' "vip"' ELSE '' END
                           AS name,
                       round((i * 7919 % 1000000) / 100.0, 2) AS amount,
                       i % 500 AS quantity,
                       DATE '2020-01-01' + CAST(i % 1500 AS INTEGER) AS order_date,
                       TIMESTAMP '2020-01-01 00:00:00' + to_seconds(i * 37) AS updated_at,
                       CASE WHEN i % 3 = 0 THEN 'false' ELSE 'true' END AS active,
                       'n' || (i % 1000) || ', ok' AS note
                FROM range({int(rows)}) t(i)
            ) TO '{path}' (HEADER, DELIMITER ',')"""
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(url: str, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "TRILITH_ADMIN_TOKEN": TOKEN,
        "TRILITH_WAREHOUSE": url,
        "TRILITH_UPLOAD_DIR": str(work / "uploads"),
        "TRILITH_MAX_UPLOAD_MB": "2048",
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "trilith.api.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def upload(url: str, data: Path, work: Path, rows: int) -> tuple[float, float, float]:
    """Seconds for the HTTP upload (request sent to response read), the server's seconds
    for the import once the file was received, and the server's peak RSS."""
    process, base = serve(url, work)
    try:
        with httpx.Client(base_url=base, timeout=3600) as client, data.open("rb") as handle:
            started = time.perf_counter()
            response = client.post(
                "/api/sigma/input-tables",
                files={"file": (data.name, handle, "text/csv")},
                data={"name": "bench orders", "type": "csv"},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            seconds = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"upload failed: {response.status_code} {response.text[:500]}")
        report = response.json()["import"]
        if report["rows"] != rows:
            raise RuntimeError(f"expected {rows} rows, the server imported {report['rows']}")
        return seconds, float(report["seconds"]), peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(30)


def duckdb_reference(data: Path, work: Path, run: int = 0) -> float:
    with duckdb.connect(str(work / f"reference{run}.duckdb")) as connection:
        connection.execute("SET enable_progress_bar = false")
        started = time.perf_counter()
        connection.execute("CREATE TABLE reference AS SELECT * FROM read_csv(?)", [str(data)])
        return time.perf_counter() - started


def duckdb_keyed_reference(data: Path, work: Path, run: int = 0) -> float:
    """The reference, plus a text `_row_id` numbered by `rowid` after the load and a
    primary key on it, in one transaction as an input table's import does."""
    with duckdb.connect(str(work / f"keyed{run}.duckdb")) as connection:
        connection.execute("SET enable_progress_bar = false")
        started = time.perf_counter()
        connection.execute("BEGIN")
        connection.execute(
            "CREATE TABLE keyed AS SELECT NULL::VARCHAR AS _row_id, * FROM read_csv(?)",
            [str(data)],
        )
        connection.execute("UPDATE keyed SET _row_id = 'import-' || rowid::VARCHAR")
        connection.execute("ALTER TABLE keyed ADD PRIMARY KEY (_row_id)")
        connection.execute("COMMIT")
        return time.perf_counter() - started


def postgres_reference(database_url: str, data: Path) -> float:
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind)) for name, kind in COLUMNS
    )
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS reference")
        connection.execute(sql.SQL("CREATE TABLE reference ({})").format(columns))
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY reference FROM STDIN (FORMAT csv, HEADER true)") as copy,
            data.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        return time.perf_counter() - started


def _best(uploads: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """The faster upload (and its server time), with the higher peak RSS of the runs."""
    seconds, server, _ = min(uploads)
    return seconds, server, max(rss for _, _, rss in uploads)


def run_duckdb(data: Path, work: Path, rows: int, keyed: bool = False) -> Result:
    reference = min(duckdb_reference(data, work, i) for i in range(RUNS))
    keyed_s = min(duckdb_keyed_reference(data, work, i) for i in range(RUNS)) if keyed else None
    uploads = [
        upload(f"duckdb:///{work}/warehouse{i}.duckdb", data, work, rows) for i in range(RUNS)
    ]
    return Result("duckdb", rows, reference, *_best(uploads), keyed_s=keyed_s)


@contextmanager
def fresh_database(admin: psycopg.Connection[Any]) -> Iterator[str]:
    """A database of its own (dropped after), from a checkpoint: no run pays for another's
    write-ahead log or shares the machine with autovacuum of another's rows."""
    name = f"trilith_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        admin.execute("CHECKPOINT")
        yield f"{POSTGRES.rsplit('/', 1)[0]}/{name}"
    finally:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def run_postgres(data: Path, work: Path, rows: int) -> Result:
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        references = []
        for _ in range(RUNS):
            with fresh_database(admin) as url:
                references.append(postgres_reference(url, data))
        uploads = []
        for _ in range(RUNS):
            with fresh_database(admin) as url:
                uploads.append(upload(url, data, work, rows))
    return Result("postgres", rows, min(references), *_best(uploads))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--engine", choices=("duckdb", "postgres", "both"), default="both")
    parser.add_argument(
        "--keyed",
        action="store_true",
        help="DuckDB: also time its own ingest into a table with a row-id primary key",
    )
    args = parser.parse_args()
    engines = ("duckdb", "postgres") if args.engine == "both" else (args.engine,)
    with tempfile.TemporaryDirectory(prefix="trilith-bench-") as directory:
        work = Path(directory)
        data = work / "orders.csv"
        generate(data, args.rows)
        size_mb = data.stat().st_size / 1e6
        print(f"file: {args.rows:,} rows, {size_mb:.0f} MB")
        results = [
            run_duckdb(data, work, args.rows, args.keyed)
            if name == "duckdb"
            else run_postgres(data, work, args.rows)
            for name in engines
        ]
    print(
        f"{'engine':<9} {'reference':>18} {'trilith over HTTP':>22} {'ratio':>7} {'peak RSS':>10}"
    )
    for r in results:
        print(
            f"{r.engine:<9} {r.rows / r.reference_s:>11,.0f} rows/s "
            f"{r.rows / r.upload_s:>15,.0f} rows/s {r.ratio:>7.2f} {r.peak_rss_mb:>7.0f} MB"
            f"   ({r.reference_s:.1f} s vs {r.upload_s:.1f} s, of which the import "
            f"{r.import_s:.1f} s)"
        )
        if r.keyed_s is not None:
            print(
                f"{'':<9} its own ingest with a text row-id primary key: {r.keyed_s:.1f} s = "
                f"{r.reference_s / r.keyed_s:.2f}x the reference, before any check or stamp"
            )
    print("targets: ratio >= 0.50, peak RSS < 1024 MB")
    # The machine is shared: the ratio means little without how busy it was.
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()
