"""The GrowthMarketer demo's data and preparation (`trilith.demo`), on real DuckDB."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlglot import exp

from trilith.demo import (
    CHANNELS,
    LEADS,
    REGIONS,
    WEEKS,
    generate,
    prepare_growthmarketer,
    write_leads_csv,
)
from trilith.engines import create_engine
from trilith.events import EventBus
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.service import InputTables
from trilith.warehouse import Warehouse


def test_the_same_seed_makes_the_same_data_and_another_seed_other_data() -> None:
    first, again, other = generate(), generate(), generate(seed=7)
    assert first == again
    assert first.spend != other.spend
    assert len(first.spend) == WEEKS * len(REGIONS) * len(CHANNELS)
    assert {r["region"] for r in first.pipeline} == set(REGIONS)
    assert len({c["name"] for c in first.campaigns}) == len(first.campaigns)
    assert all(c["start"] < c["end"] for c in first.campaigns)


def test_leads_are_written_as_a_csv_with_a_header(tmp_path: Path) -> None:
    path = write_leads_csv(tmp_path / "data" / "leads.csv", generate().leads)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == LEADS
    assert rows[0]["lead_id"] == "L-0001"
    assert rows[0]["notes"]


def _count(engine: object, table: exp.Table) -> int:
    query = exp.select(exp.func("COUNT", exp.Star())).from_(table)
    return int(engine.fetch_scalar(query))  # type: ignore[attr-defined]


def test_prepare_loads_the_warehouse_once_and_keeps_later_edits(tmp_path: Path) -> None:
    engine = create_engine(f"duckdb:///{tmp_path / 'demo.duckdb'}")
    warehouse = Warehouse(engine, "sigds")
    warehouse.ensure_ready()
    summary = prepare_growthmarketer(engine, warehouse.schema, tmp_path)
    assert "added 10 campaigns, 60 leads" in summary
    assert (tmp_path / "leads.csv").is_file()
    assert _count(engine, exp.to_table("growth.marketing_spend")) == WEEKS * 20
    tables = InputTables(engine, warehouse.schema, EventBus())
    leads = tables.rows("leads")
    assert _count(engine, leads.table) == LEADS
    campaign = tables.rows("campaigns")
    row = engine.fetch_dicts(exp.select("_row_id", "_version").from_(campaign.table).limit(1))[0]
    tables.update(
        "campaigns", row["_row_id"], {"status": "Live"}, row["_version"], WriteContext("t")
    )

    again = prepare_growthmarketer(engine, warehouse.schema, tmp_path)
    assert "added" not in again
    assert _count(engine, campaign.table) == 10
    kept = tables.rows("campaigns").get(row["_row_id"])
    assert kept is not None
    assert kept["status"] == "Live"
    engine.close()
