"""Sequences on a schedule (`trigger: {type: schedule, cron: "0 7 * * MON-FRI"}`).

A thread of the server wakes every `TRILITH_SCHEDULER_INTERVAL` seconds, reads the
sequences, and for each scheduled one that is not paused finds its latest due time (the
cron expression read in `TRILITH_SCHEDULER_TIMEZONE`). A due time older than the grace
period is a missed one and is skipped, not caught up: a server started at noon does not
run the 7 o'clock report.

With several server processes each one sees the same due time; the first to insert
`(app_id, sequence_id, due_at)` into `schedule_fires` runs it, and every other insert
hits the primary key and gives up. The run belongs to the system actor `scheduler`
(an editor), and is recorded, audited and controlled like any other.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from croniter import croniter
from sqlglot import exp

from trilith.actions.catalog import NO_APP, SequenceCatalog
from trilith.actions.context import Selection
from trilith.actions.engine import ActionEngine
from trilith.actions.model import ActionSequence
from trilith.actions.runs import OWNER
from trilith.actions.service import Actions
from trilith.auth import Actor
from trilith.errors import Conflict, TrilithError
from trilith.events import EventBus
from trilith.input_tables.service import InputTables
from trilith.sql.ddl import table
from trilith.sql.dml import insert_values
from trilith.sql.render import param
from trilith.warehouse import Warehouse

__all__ = ["SCHEDULER_ACTOR", "Fire", "Scheduler", "latest_due"]

SCHEDULER_ACTOR = Actor("scheduler", "scheduler", "editor")
MIN_GRACE_S = 60.0
STOP_TIMEOUT_S = 30.0
# How long a lost claim may take to become visible (the winner is committing).
CLAIM_CHECKS = 20
CLAIM_CHECK_INTERVAL_S = 0.05

log = logging.getLogger("trilith.scheduler")


@dataclass(frozen=True, slots=True)
class Fire:
    app_id: str
    sequence_id: str
    due_at: dt.datetime  # UTC, without an offset, as stored
    run_id: str | None  # None when the run was refused (already running, all paused)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def latest_due(cron: str, now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The latest time at or before `now` that `cron` names (read in `zone`), in UTC."""
    local = _utc(now).astimezone(zone) + dt.timedelta(microseconds=1)
    due: dt.datetime = croniter(cron, local).get_prev(dt.datetime)
    return due.astimezone(dt.UTC)


class Scheduler:
    def __init__(
        self,
        warehouse: Warehouse,
        action_engine: ActionEngine,
        events: EventBus,
        *,
        interval_s: float = 30.0,
        timezone: str = "UTC",
        grace_s: float | None = None,
        owner: str = OWNER,
    ) -> None:
        self.warehouse = warehouse
        self.action_engine = action_engine
        self.events = events
        self.interval_s = interval_s
        self.zone = ZoneInfo(timezone)
        self.grace = dt.timedelta(seconds=grace_s or max(MIN_GRACE_S, 3 * interval_s))
        self.owner = owner
        self.fires = table(warehouse.schema, "schedule_fires")
        # The due time this process last settled per sequence (fired, or lost the race).
        self._settled: dict[tuple[str, str], dt.datetime] = {}
        self._bad_cron: set[tuple[str, str]] = set()
        self._tick_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the thread ------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="trilith-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_S)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stopping.wait(self.interval_s):
            try:
                self.tick()
            except TrilithError as exc:  # the warehouse is down: try again next time
                log.warning("scheduler: %s", exc.message)
            except Exception:
                log.exception("scheduler: a tick failed")

    # --- one look at the schedules ---------------------------------------------------

    def tick(self, now: dt.datetime | None = None) -> list[Fire]:
        """Run every scheduled sequence due at `now` (default: the current time) that no
        process has run for that due time yet; return what this process started."""
        now = _utc(now or dt.datetime.now(dt.UTC))
        with self._tick_lock:
            self.warehouse.ensure_ready()
            catalog = SequenceCatalog(self.warehouse.engine, self.warehouse.schema)
            fired: list[Fire] = []
            for sequence in catalog.all():
                if sequence.trigger.type != "schedule" or sequence.is_paused:
                    continue
                try:
                    fire = self._consider(sequence, now)
                except TrilithError as exc:
                    log.warning("scheduler: sequence %s: %s", sequence.id, exc.message)
                    continue
                if fire is not None:
                    fired.append(fire)
            return fired

    def _consider(self, sequence: ActionSequence, now: dt.datetime) -> Fire | None:
        key = (sequence.app_id or NO_APP, sequence.id)
        try:
            due = latest_due(sequence.trigger.cron or "", now, self.zone)
        except (ValueError, KeyError) as exc:
            if key not in self._bad_cron:
                self._bad_cron.add(key)
                log.warning("scheduler: sequence %s has a bad cron expression: %s", key, exc)
            return None
        if now - due > self.grace or self._settled.get(key) == due:
            return None
        stored_due = due.replace(tzinfo=None)
        won = self._claim(key, stored_due, now.replace(tzinfo=None))
        self._settled[key] = due
        return self._fire(sequence, stored_due) if won else None

    def _claim(self, key: tuple[str, str], due: dt.datetime, now: dt.datetime) -> bool:
        """Insert the fire; False when another process inserted it first."""
        values = {
            "app_id": key[0],
            "sequence_id": key[1],
            "due_at": due,
            "fired_at": now,
            "owner": self.owner,
        }
        insert = insert_values(self.fires, values)
        try:
            self.warehouse.engine.execute(insert, values)
        except Conflict:
            # The key is taken by a claim that may not have committed yet (DuckDB reports
            # a duplicate against another open transaction): look again for a moment.
            for _ in range(CLAIM_CHECKS):
                if self._claimed(key, due):
                    return False
                time.sleep(CLAIM_CHECK_INTERVAL_S)
            raise  # a busy database, not a lost race: the next tick tries again
        return True

    def _claimed(self, key: tuple[str, str], due: dt.datetime) -> bool:
        query = (
            exp.select(exp.func("COUNT", exp.Star()))
            .from_(self.fires)
            .where(
                exp.and_(
                    exp.column("app_id").eq(param("a")),
                    exp.column("sequence_id").eq(param("s")),
                    exp.column("due_at").eq(param("d")),
                )
            )
        )
        count = self.warehouse.engine.fetch_scalar(query, {"a": key[0], "s": key[1], "d": due})
        return int(count or 0) > 0

    def _fire(self, sequence: ActionSequence, due: dt.datetime) -> Fire:
        engine, schema = self.warehouse.engine, self.warehouse.schema
        actions = Actions(self.action_engine, InputTables(engine, schema, self.events))
        ctx = actions.context(
            SCHEDULER_ACTOR,
            sequence.app_id,
            controls={},
            selection=Selection(),
            variables={},
            element_id=sequence.element_id,
            request_id=f"schedule-{uuid.uuid4().hex[:16]}",
        )
        app_id = sequence.app_id or NO_APP
        try:
            live = self.action_engine.start(sequence, ctx)
        except Conflict as exc:
            log.warning("scheduler: %s due %s not run: %s", sequence.id, due, exc.message)
            return Fire(app_id, sequence.id, due, None)
        log.info("scheduler: %s due %s started run %s", sequence.id, due, live.run_id)
        return Fire(app_id, sequence.id, due, live.run_id)
