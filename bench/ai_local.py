"""Local AI functions in DuckDB: rows/s over a table.

    python bench/ai_local.py [--rows 10000] [--classify-rows 200]

Builds a DuckDB table of `--rows` short reviews (templated sentences with varied words
and numbers, so no two rows share a text), then times
1. `SELECT ai_sentiment(body)` over all of it (VADER, Arrow batches), against the same
   scan with `length(body)` as the floor, and `ai_embed` (WordLlama) over all of it;
2. `SELECT ai_classify(body, ['bug', 'praise', 'question'])` over `--classify-rows`
   rows (SmolLM2-135M through llama.cpp, one generation per row) — only when the
   `local-ai` extra's model is installed; otherwise it says so. The model scores each
   row with one forward pass on the CPU (a few rows/s on two busy cores), so by default it
   reads the first 200 rows of the table; `--classify-rows 10000` reads all of it.
"""

from __future__ import annotations

import argparse
import os
import random
import time

import pyarrow as pa

from trilith.ai.embeddings import EMBEDDING_MODEL, embedder_available
from trilith.ai.local_models import llm_available
from trilith.ai.providers.local import register_functions
from trilith.engines import Engine, create_engine

GOOD = ["great", "wonderful", "fast", "helpful", "love it", "excellent", "smooth"]
BAD = ["broken", "slow", "crashes", "awful", "useless", "confusing", "hate it"]
THINGS = ["the export", "the login page", "support", "the new chart", "the mobile app"]


def make_table(engine: Engine, rows: int) -> None:
    rng = random.Random(7)
    texts = []
    for i in range(rows):
        word = rng.choice(GOOD if rng.random() < 0.5 else BAD)
        texts.append(f"Order {i}: {rng.choice(THINGS)} is {word}, after {rng.randint(1, 90)} days.")
    source = pa.table({"id": list(range(rows)), "body": texts})
    database = engine.database  # type: ignore[attr-defined]
    database.register("review_source", source)
    database.execute("CREATE OR REPLACE TABLE reviews AS SELECT * FROM review_source")
    database.unregister("review_source")


def timed(engine: Engine, sql: str) -> float:
    start = time.perf_counter()
    engine.fetch_rows(sql)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--classify-rows", type=int, default=200)
    args = parser.parse_args()
    engine = create_engine("duckdb:///:memory:")
    register_functions(engine)
    make_table(engine, args.rows)
    timed(engine, "SELECT ai_sentiment('warm up')")
    floor = timed(engine, "SELECT sum(length(body)) FROM reviews")
    seconds = timed(engine, "SELECT avg(ai_sentiment(body)) FROM reviews")
    print(
        f"sentiment (VADER): {args.rows} rows in {seconds:.2f} s = {args.rows / seconds:,.0f} rows/s "
        f"(scan floor {args.rows / floor:,.0f} rows/s)"
    )
    if embedder_available():
        timed(engine, f"SELECT ai_embed('{EMBEDDING_MODEL}', 'warm up')")
        seconds = timed(engine, f"SELECT count(ai_embed('{EMBEDDING_MODEL}', body)) FROM reviews")
        print(
            f"embeddings (WordLlama, 256-d): {args.rows} rows in {seconds:.2f} s = "
            f"{args.rows / seconds:,.0f} rows/s"
        )
    if not llm_available():
        print(
            "classification: skipped, the local model is not installed (pip install 'trilith[local-ai]')"
        )
        return
    n = min(args.classify_rows, args.rows)
    timed(engine, "SELECT ai_classify('warm up', ['bug', 'praise'])")
    seconds = timed(
        engine,
        f"SELECT count(DISTINCT ai_classify(body, ['bug', 'praise', 'question'])) "
        f"FROM (SELECT body FROM reviews ORDER BY id LIMIT {n})",
    )
    print(
        f"classification (SmolLM2-135M): {n} of {args.rows} rows in {seconds:.1f} s = "
        f"{n / seconds:,.1f} rows/s (load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
