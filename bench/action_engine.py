"""Action engine overhead and the execute endpoint's throughput.

    python bench/action_engine.py [--runs 500] [--engine duckdb|postgres|both]

1. Orchestration of a 10-action sequence of in-memory actions (5 set_variable,
   5 set_control): the engine's loop alone (target: median < 2 ms), and a whole run
   with its persistence (run row written at start and end, two audit entries).
2. `POST /api/actions/execute` of that sequence over HTTP against a server in its own
   process: runs/s and p50/p99 latency, on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from row_edits import TOKEN, drop_postgres, fresh_postgres, serve

from trilith.actions.context import RunContext
from trilith.actions.engine import ActionEngine
from trilith.actions.model import ActionSequence
from trilith.actions.runs import LiveRun, RunStore
from trilith.auth import ADMIN
from trilith.engines import create_engine
from trilith.events import EventBus
from trilith.input_tables.service import InputTables
from trilith.metadata import migrate

ACTIONS = [{"type": "set_variable", "variable": f"v{i}", "value": i} for i in range(5)] + [
    {"type": "set_control", "target_control": f"c{i}", "value": i} for i in range(5)
]
SEQUENCE = {"id": "ten", "actions": ACTIONS}


def in_process(url: str, runs: int) -> tuple[float, float]:
    engine = create_engine(url)
    migrate(engine, "sigds")
    tables = InputTables(engine, "sigds", EventBus())
    runner = ActionEngine(RunStore(engine, "sigds"), tables.events)
    sequence = ActionSequence.model_validate(SEQUENCE)

    def context() -> RunContext:
        return RunContext(actor=ADMIN, engine=engine, schema="sigds", tables=tables)

    loop: list[float] = []
    for _ in range(runs):
        live = LiveRun("bench", "ten", None, "admin", "click", None, None, 10)
        started = time.perf_counter()
        runner._run_actions(live, sequence, context())
        loop.append(time.perf_counter() - started)
    whole: list[float] = []
    for _ in range(min(runs, 200)):
        started = time.perf_counter()
        result = runner.execute(sequence, context(), wait_s=10)
        whole.append(time.perf_counter() - started)
        assert result["status"] == "completed", result
    runner.close()
    engine.close()
    return statistics.median(loop) * 1000, statistics.median(whole) * 1000


def over_http(url: str, runs: int) -> tuple[float, float, float]:
    process, base = serve(url)
    try:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
        ) as client:
            client.post("/api/sigma/actions", json=SEQUENCE).raise_for_status()
            latencies = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.post("/api/actions/execute", json={"sequence_id": "ten"})
                latencies.append(time.perf_counter() - started)
                if response.status_code == 429:
                    raise SystemExit(
                        "rate limited: run the server with TRILITH_ACTION_RATE_LIMIT high"
                    )
                response.raise_for_status()
            ordered = sorted(latencies)
            return (
                runs / sum(latencies),
                statistics.median(ordered) * 1000,
                ordered[int(len(ordered) * 0.99) - 1] * 1000,
            )
    finally:
        process.terminate()
        process.wait(20)


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--engine", choices=["duckdb", "postgres", "both"], default="both")
    args = parser.parse_args()
    os.environ["TRILITH_ACTION_RATE_LIMIT"] = "1000000/minute"
    loop_ms, whole_ms = in_process("duckdb:///:memory:", args.runs)
    print(
        f"orchestration of 10 in-memory actions: median {loop_ms:.3f} ms (target < 2 ms); "
        f"a whole run with its persistence on in-memory DuckDB: median {whole_ms:.2f} ms"
    )
    engines = ["duckdb", "postgres"] if args.engine == "both" else [args.engine]
    for name in engines:
        if name == "duckdb":
            with tempfile.TemporaryDirectory() as folder:
                rate, p50, p99 = over_http(f"duckdb:///{folder}/server.duckdb", args.runs)
        else:
            url, database = fresh_postgres()
            try:
                rate, p50, p99 = over_http(url, args.runs)
            finally:
                drop_postgres(database)
        print(
            f"{name:9s} POST /api/actions/execute: {rate:7.0f} runs/s | "
            f"p50 {p50:.2f} ms | p99 {p99:.2f} ms"
        )


if __name__ == "__main__":
    main()
