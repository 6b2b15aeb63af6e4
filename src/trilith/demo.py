"""The GrowthMarketer demo: deterministic sample data and the steps that ready a warehouse.

`generate()` makes the same data for the same seed: weekly marketing spend and a sales
pipeline (warehouse tables in the `growth` schema), the campaigns' rows and the inbound
leads. `prepare_growthmarketer()` writes the leads to `leads.csv` in the data directory,
(re)creates the warehouse tables, applies the app spec and fills its input tables the
first time: campaigns as rows, leads through the CSV import, so they are in the edit log
like any other write. Later starts keep whatever people edited.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlglot import exp

from trilith.apply import apply_app
from trilith.engines.base import Engine
from trilith.events import EventBus
from trilith.input_tables.csv import CsvOptions
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.service import InputTables
from trilith.spec import load_app
from trilith.sql.ddl import ColumnSpec, create_schema, create_table, table
from trilith.sql.dml import insert_values

__all__ = [
    "CHANNELS",
    "GROWTHMARKETER_APP",
    "REGIONS",
    "SEED",
    "SampleData",
    "generate",
    "prepare_growthmarketer",
    "write_leads_csv",
]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GROWTHMARKETER_APP = EXAMPLES / "growthmarketer" / "app.yaml"
SEED = 20260301
SCHEMA = "growth"
ACTOR = "demo"
REGIONS = ("North America", "Europe", "APAC", "LATAM")
CHANNELS = ("Paid search", "Social", "Email", "Events", "Content")
STAGES = ("Prospecting", "Qualified", "Proposal", "Won", "Lost")
FIRST_WEEK = dt.date(2026, 1, 5)  # a Monday
WEEKS = 26
OPPORTUNITIES = 360
LEADS = 60

# Relative size of each region and the weekly base spend of each channel.
_REGION_WEIGHT = {"North America": 1.0, "Europe": 0.75, "APAC": 0.5, "LATAM": 0.3}
_CHANNEL_BASE = {
    "Paid search": 9000,
    "Social": 6000,
    "Email": 1500,
    "Events": 4000,
    "Content": 2500,
}
_CAMPAIGNS = {
    "Paid search": ("Brand search", "Competitor terms"),
    "Social": ("LinkedIn ABM", "Spring launch social"),
    "Email": ("Nurture series", "Win-back"),
    "Events": ("SaaStr booth", "Regional roadshow"),
    "Content": ("State of Growth report", "Webinar series"),
}
_OWNERS = ("Ava Patel", "Liam Chen", "Noah Garcia", "Mia Rossi", "Lucas Müller", "Zoe Okafor")
_FIRST = ("Olivia", "Ethan", "Sofia", "Mateo", "Hana", "Arjun", "Chloe", "Diego", "Yuki", "Emma")
_LAST = ("Schmidt", "Tanaka", "Silva", "Johnson", "Kowalski", "Nguyen", "Dubois", "Okoro")
_COMPANIES = (
    "Acme Analytics",
    "Bluefin Logistics",
    "Cobalt Health",
    "Delta Foods",
    "Evergreen Energy",
    "Fjord Fintech",
    "Granite Retail",
    "Helix Biotech",
    "Ion Mobility",
    "Juniper Media",
)
_SOURCES = ("Webinar", "Website form", "Event badge scan", "Referral", "Paid search")
# Lead notes: hot, warm, cold and spam-like, so triage has something to tell apart.
_NOTES = (
    "Asked for a pricing call this week; budget approved and they want to start next month.",
    "Very excited after the demo, wants a proposal for 50 seats by Friday.",
    "Downloaded the report, might look at tools again next year.",
    "Interested but the team is busy with a migration; follow up in Q3.",
    "Not interested, already signed with a competitor. Please remove from the list.",
    "Complained that the trial was confusing and slow; unhappy with support so far.",
    "WIN A FREE CRUISE click here now!!! limited offer",
    "Student researching marketing tools for a class project.",
    "Loved the webinar, asked whether we integrate with Salesforce and HubSpot.",
    "Requested a security review and SOC 2 report before a purchase decision.",
)


@dataclass(frozen=True)
class SampleData:
    spend: list[dict[str, Any]]
    pipeline: list[dict[str, Any]]
    campaigns: list[dict[str, Any]]
    leads: list[dict[str, Any]]


def generate(seed: int = SEED) -> SampleData:
    """The demo's data; the same seed gives the same rows."""
    rng = random.Random(seed)
    spend: list[dict[str, Any]] = []
    for week_no in range(WEEKS):
        week = FIRST_WEEK + dt.timedelta(weeks=week_no)
        season = 1.0 + 0.25 * ((week_no % 13) / 12)
        for region in REGIONS:
            for channel in CHANNELS:
                campaign = _CAMPAIGNS[channel][week_no // 13]
                amount = _CHANNEL_BASE[channel] * _REGION_WEIGHT[region] * season
                amount *= rng.uniform(0.7, 1.3)
                clicks = int(amount / rng.uniform(1.5, 4.0))
                spend.append(
                    {
                        "week": week,
                        "region": region,
                        "channel": channel,
                        "campaign": campaign,
                        "spend": round(amount, 2),
                        "clicks": clicks,
                        "leads": int(clicks * rng.uniform(0.01, 0.05)),
                    }
                )
    pipeline: list[dict[str, Any]] = []
    weights = [_REGION_WEIGHT[r] for r in REGIONS]
    for number in range(1, OPPORTUNITIES + 1):
        pipeline.append(
            {
                "opportunity_id": f"OPP-{number:04d}",
                "created": FIRST_WEEK + dt.timedelta(days=rng.randrange(WEEKS * 7)),
                "region": rng.choices(REGIONS, weights)[0],
                "channel": rng.choice(CHANNELS),
                "stage": rng.choices(STAGES, (30, 25, 18, 15, 12))[0],
                "amount": float(rng.randrange(5, 120) * 1000),
            }
        )
    campaigns: list[dict[str, Any]] = []
    statuses = ("Live", "Draft", "Pending approval", "Approved", "Live", "Done")
    for index, (channel, names) in enumerate(_CAMPAIGNS.items()):
        for half, name in enumerate(names):
            start = FIRST_WEEK + dt.timedelta(weeks=13 * half + rng.randrange(3))
            campaigns.append(
                {
                    "name": name,
                    "channel": channel,
                    "region": REGIONS[(index + half) % len(REGIONS)],
                    "budget": float(rng.randrange(10, 80) * 1000),
                    "start": start,
                    "end": start + dt.timedelta(weeks=rng.randrange(6, 13)),
                    "owner": _OWNERS[(index * 2 + half) % len(_OWNERS)],
                    "status": statuses[(index + half * 3) % len(statuses)],
                }
            )
    leads: list[dict[str, Any]] = []
    for number in range(1, LEADS + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        company = rng.choice(_COMPANIES)
        domain = company.split()[0].lower()
        leads.append(
            {
                "lead_id": f"L-{number:04d}",
                "name": f"{first} {last}",
                "company": company,
                "email": f"{first.lower()}.{last.lower()}@{domain}.example",
                "region": rng.choices(REGIONS, weights)[0],
                "source": rng.choice(_SOURCES),
                "created": FIRST_WEEK + dt.timedelta(days=rng.randrange(WEEKS * 7)),
                "notes": rng.choice(_NOTES),
            }
        )
    return SampleData(spend, pipeline, campaigns, leads)


LEAD_COLUMNS = ("lead_id", "name", "company", "email", "region", "source", "created", "notes")


def write_leads_csv(path: Path, leads: Sequence[dict[str, Any]]) -> Path:
    """Write leads as a UTF-8 CSV with a header row (the file the demo imports)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=LEAD_COLUMNS)
        writer.writeheader()
        for lead in leads:
            writer.writerow({k: lead[k] for k in LEAD_COLUMNS})
    return path


_WAREHOUSE_TABLES: dict[str, tuple[ColumnSpec, ...]] = {
    "marketing_spend": (
        ColumnSpec("week", "DATE", nullable=False),
        ColumnSpec("region", "TEXT", nullable=False),
        ColumnSpec("channel", "TEXT", nullable=False),
        ColumnSpec("campaign", "TEXT"),
        ColumnSpec("spend", "DOUBLE"),
        ColumnSpec("clicks", "BIGINT"),
        ColumnSpec("leads", "BIGINT"),
    ),
    "pipeline": (
        ColumnSpec("opportunity_id", "TEXT", nullable=False),
        ColumnSpec("created", "DATE", nullable=False),
        ColumnSpec("region", "TEXT", nullable=False),
        ColumnSpec("channel", "TEXT"),
        ColumnSpec("stage", "TEXT"),
        ColumnSpec("amount", "DOUBLE"),
    ),
}


def load_warehouse_tables(engine: Engine, data: SampleData) -> dict[str, int]:
    """(Re)create growth.marketing_spend and growth.pipeline with the sample rows."""
    rows = {"marketing_spend": data.spend, "pipeline": data.pipeline}
    counts: dict[str, int] = {}
    engine.execute(create_schema(SCHEMA))
    with engine.transaction() as session:
        for name, columns in _WAREHOUSE_TABLES.items():
            target = table(SCHEMA, name)
            session.execute(exp.Drop(tables=[target], kind="TABLE", exists=True))
            session.execute(create_table(target, columns))
            statement = insert_values(target, [c.name for c in columns])
            for row in rows[name]:
                session.execute(statement, row)
            counts[f"{SCHEMA}.{name}"] = len(rows[name])
    return counts


def _count(tables: InputTables, table_id: str) -> int:
    store = tables.rows(table_id)
    query = exp.select(exp.func("COUNT", exp.Star())).from_(store.table)
    return int(tables.engine.fetch_scalar(query) or 0)


def prepare_growthmarketer(
    engine: Engine,
    schema: str,
    data_dir: Path,
    *,
    seed: int = SEED,
    spec: Path = GROWTHMARKETER_APP,
    events: EventBus | None = None,
) -> str:
    """Ready a migrated warehouse for the demo; answer a one-line summary."""
    data = generate(seed)
    leads_csv = write_leads_csv(data_dir / "leads.csv", data.leads)
    counts = load_warehouse_tables(engine, data)
    bus = events or EventBus()
    report = apply_app(engine, schema, load_app(spec), ACTOR, events=bus)
    tables = InputTables(engine, schema, bus)
    context = WriteContext(ACTOR)
    added: list[str] = []
    if _count(tables, "campaigns") == 0:
        tables.insert("campaigns", data.campaigns, context)
        added.append(f"{len(data.campaigns)} campaigns")
    if _count(tables, "leads") == 0:
        imported = tables.import_csv("leads", leads_csv, CsvOptions(mode="append"), context)
        added.append(f"{imported.rows} leads from {leads_csv}")
    tables_text = ", ".join(f"{name} {n} rows" for name, n in counts.items())
    rows_text = f"; added {', '.join(added)}" if added else ""
    return f"{report.summary()}; sample tables: {tables_text}{rows_text}"
