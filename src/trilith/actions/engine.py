"""The orchestrator: runs a sequence's actions in order (seed 004 §4.1).

A run executes on the engine's worker threads; `execute` waits for it (up to the
sequence's timeout) and returns the run, or returns it still running or paused so the
caller can poll its status. Between two actions the run honours pause, resume and stop,
and its timeout. `stop_on_error` and each action's `error_handling` (fail, continue,
retry with exponential back-off) decide what a failure does; a failed stored procedure
always stops the sequence. In an `atomic` run every input-table write joins one
transaction, committed only if the run completes.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import replace
from typing import Any

from trilith.actions.context import RunContext
from trilith.actions.model import Action, ActionSequence, Condition
from trilith.actions.registry import resolve_type
from trilith.actions.runs import LiveRun, RunStore
from trilith.errors import Conflict, TrilithError, ValidationFailed
from trilith.events import EventBus
from trilith.metadata.audit import record
from trilith.metadata.clock import utc_now
from trilith.observability.metrics import Metrics

__all__ = ["ActionEngine"]

RETRY_BASE_S = 0.2
CONTROL_POLL_S = 1.0
WORKERS = 16


class Stopped(Exception):
    pass


class RunFailed(Exception):
    pass


def _condition_holds(condition: Condition, ctx: RunContext) -> bool:
    return bool(_CONDITIONS[condition.type](condition, ctx))


def _custom_formula(condition: Condition, ctx: RunContext) -> Any:
    return ctx.formula(condition.formula or "") is True


def _control_value(condition: Condition, ctx: RunContext) -> Any:
    value = ctx.controls.get(condition.control_id or "")
    return (
        value == condition.expected_value if condition.expected_value is not None else bool(value)
    )


def _selection_value(condition: Condition, ctx: RunContext) -> Any:
    value = ctx.selection.values(condition.column_name or "")
    return (
        value == condition.expected_value
        if condition.expected_value is not None
        else value is not None
    )


def _selection_contains(condition: Condition, ctx: RunContext) -> Any:
    return condition.expected_value in ctx.selection.all_values(condition.column_name or "")


def _ai_result(condition: Condition, ctx: RunContext) -> Any:
    result = ctx.variables.get(condition.variable or "")
    if isinstance(result, dict):
        score = result.get("confidence", result.get("score", result.get("result")))
    else:
        score = result
    if condition.threshold is not None:
        return isinstance(score, int | float) and score >= condition.threshold
    return (
        score == condition.expected_value if condition.expected_value is not None else bool(score)
    )


_CONDITIONS = {
    "custom_formula": _custom_formula,
    "control_value": _control_value,
    "selection_value": _selection_value,
    "selection_contains": _selection_contains,
    "ai_result": _ai_result,
}


class ActionEngine:
    def __init__(self, runs: RunStore, events: EventBus, metrics: Metrics | None = None) -> None:
        self.runs = runs
        self.events = events
        self.metrics = metrics
        self.live: dict[str, LiveRun] = {}
        self._live_lock = threading.Lock()
        self._paused_all = False
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="trilith-action")

    # --- starting --------------------------------------------------------------------

    def start(
        self,
        sequence: ActionSequence,
        ctx: RunContext,
        *,
        idempotency_key: str | None = None,
    ) -> LiveRun:
        if sequence.is_paused or self._paused_all:
            raise Conflict(f"sequence '{sequence.id}' is paused; resume it to run it")
        if idempotency_key:
            found, _ = self.runs.find(idempotency_key=idempotency_key, actor=ctx.actor.id, limit=1)
            if found:
                return self._replay(found[0])
        self._refuse_duplicate(sequence, ctx)
        live = LiveRun(
            run_id=uuid.uuid4().hex,
            sequence_id=sequence.id,
            app_id=sequence.app_id,
            actor=ctx.actor.id,
            trigger=sequence.trigger.type,
            request_id=ctx.request_id,
            idempotency_key=idempotency_key,
            total_actions=len(sequence.actions),
        )
        ctx.run_id = live.run_id
        self.runs.insert(live)
        with self._live_lock:
            self.live[live.run_id] = live
        self._audit(ctx, "sequence-started", live)
        self._pool.submit(self._run, live, sequence, ctx)
        return live

    def _refuse_duplicate(self, sequence: ActionSequence, ctx: RunContext) -> None:
        with self._live_lock:
            running = next(
                (
                    r.run_id
                    for r in self.live.values()
                    if r.sequence_id == sequence.id
                    and r.actor == ctx.actor.id
                    and not r.done.is_set()
                ),
                None,
            )
        running = running or self.runs.active_run(sequence.id, ctx.actor.id)
        if running:
            raise Conflict(
                f"sequence '{sequence.id}' is already running for you (run {running}); "
                "wait for it or stop it",
                body={"run_id": running},
            )

    def _replay(self, stored: dict[str, Any]) -> LiveRun:
        with self._live_lock:
            live = self.live.get(stored["run_id"])
        if live is not None:
            return live
        replay = LiveRun(
            run_id=stored["run_id"],
            sequence_id=stored["sequence_id"],
            app_id=stored["app_id"],
            actor=stored["actor"],
            trigger=stored["trigger"],
            request_id=stored["request_id"],
            idempotency_key=None,
            total_actions=stored["progress"]["total"],
            status=stored["status"],
            steps=stored["steps"],
            effects=stored["effects"],
            variables=stored["output_variables"],
            error=stored["error"],
        )
        replay.done.set()
        return replay

    def execute(
        self,
        sequence: ActionSequence,
        ctx: RunContext,
        *,
        idempotency_key: str | None = None,
        wait_s: float | None = None,
    ) -> dict[str, Any]:
        live = self.start(sequence, ctx, idempotency_key=idempotency_key)
        live.done.wait(wait_s if wait_s is not None else sequence.timeout_ms / 1000 + 1)
        return live.public()

    # --- running ---------------------------------------------------------------------

    def _run(self, live: LiveRun, sequence: ActionSequence, ctx: RunContext) -> None:
        try:
            self._run_actions(live, sequence, ctx)
            live.status = "completed"
        except Stopped:
            live.status, live.error = "stopped", "stopped on request"
        except RunFailed as exc:
            live.status, live.error = "failed", str(exc)
        except TrilithError as exc:
            live.status, live.error = "failed", exc.message
        except Exception as exc:  # a handler bug must not lose the run
            live.status, live.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            ctx.release_locks()
            self._finish(live, ctx)

    def _run_actions(self, live: LiveRun, sequence: ActionSequence, ctx: RunContext) -> None:
        deadline = time.monotonic() + sequence.timeout_ms / 1000
        actions = self._chosen_actions(sequence, ctx)
        live.total_actions = len(actions)
        # Atomic: one transaction for every write; an exception leaving it rolls it back.
        with ctx.engine.transaction() if sequence.atomic else nullcontext() as session:
            ctx.session = session
            for index, action in enumerate(actions):
                deadline = self._boundary(live, deadline, sequence)
                live.current_action, live.current_type = index, action.type
                self._publish(live)
                step = self._run_action(action, ctx)
                live.steps.append(step)
                if step["status"] == "failed" and (step.get("stops") or sequence.stop_on_error):
                    raise RunFailed(f"action {index} ({action.type}) failed: {step['error']}")
        ctx.session = None
        for change in ctx.pending_changes:
            ctx.tables.announce(change)
        live.current_action = len(actions)
        if sequence.success_alert and actions:
            alert = sequence.success_alert
            text = ctx.resolve_text(alert.text) if alert.text else None
            ctx.effect(
                "show_alert", title=ctx.resolve_text(alert.title), text=text, level="success"
            )

    def _chosen_actions(self, sequence: ActionSequence, ctx: RunContext) -> list[Action]:
        if sequence.condition and not _condition_holds(sequence.condition, ctx):
            ctx.effect("condition_not_met", sequence_id=sequence.id)
            return []
        for branch in sequence.branches:
            if branch.condition is None or _condition_holds(branch.condition, ctx):
                return [*branch.actions, *sequence.actions]
        return list(sequence.actions)

    def _run_action(self, action: Action, ctx: RunContext) -> dict[str, Any]:
        spec = resolve_type(action.type)
        started = time.perf_counter()
        step: dict[str, Any] = {"id": action.id, "type": action.type, "status": "completed"}
        attempts = action.retries if action.error_handling == "retry" else 1
        if spec is None:
            step.update(status="failed", error=f"unknown action type '{action.type}'")
            return step
        for attempt in range(1, attempts + 1):
            try:
                params = spec.params.model_validate(action.parameters)
                result = spec.run(params, ctx)
                if action.output_variable:
                    ctx.variables[action.output_variable] = result
                step["result"] = result
                step.pop("error", None)
                step["status"] = "completed"
                break
            except TrilithError as exc:
                step.update(status="failed", error=exc.message, attempts=attempt)
                if getattr(exc, "stops_sequence", False):
                    step["stops"] = True
                    break
            except Exception as exc:
                step.update(status="failed", error=f"{type(exc).__name__}: {exc}", attempts=attempt)
            if attempt < attempts:
                time.sleep(RETRY_BASE_S * 2 ** (attempt - 1))
        if step["status"] == "failed" and action.error_handling == "continue":
            step["status"] = "continued"
            if action.output_variable:
                ctx.variables[action.output_variable] = None
        step["ms"] = round((time.perf_counter() - started) * 1000, 3)
        if self.metrics is not None:
            self.metrics.observe_action(action.type, step["status"], step["ms"] / 1000)
        if step["status"] == "failed":
            self._audit(ctx, "action-failed", None, {"action": action.type, "error": step["error"]})
        return step

    def _boundary(self, live: LiveRun, deadline: float, sequence: ActionSequence) -> float:
        control = self._control(live)
        if control == "pause":
            paused_at = time.monotonic()
            self.runs.save(replace(live, status="paused"))  # stored first, then shown
            live.status = "paused"
            self._publish(live)
            self._audit_run(live, "sequence-paused")
            while control == "pause":
                with live.wake:
                    live.wake.wait(CONTROL_POLL_S)
                control = self._control(live, force=True)
            deadline += time.monotonic() - paused_at
            live.status = "running"
            self.runs.save(live)
            self._audit_run(live, "sequence-resumed")
        if control == "stop":
            raise Stopped
        if time.monotonic() > deadline:
            raise RunFailed(f"timed out after {sequence.timeout_ms} ms")
        return deadline

    def _control(self, live: LiveRun, force: bool = False) -> str | None:
        now = time.monotonic()
        if force or now - live.polled_at >= CONTROL_POLL_S:
            live.polled_at = now
            stored = self.runs.control_of(live.run_id)
            if stored and stored != live.control:
                live.control = stored
        return None if live.control == "resume" else live.control

    def _finish(self, live: LiveRun, ctx: RunContext) -> None:
        live.effects = list(ctx.effects)
        live.variables = dict(ctx.variables)
        live.finished_at = utc_now()
        try:
            self.runs.save(live)
            self._audit(ctx, f"sequence-{live.status}", live)
        finally:
            if self.metrics is not None:
                seconds = (live.finished_at - live.started_at).total_seconds()
                self.metrics.observe_run(live.status, seconds)
            self._publish(live)
            live.done.set()
            with self._live_lock:
                self.live.pop(live.run_id, None)

    # --- control ---------------------------------------------------------------------

    def control(self, run_ids: list[str], action: str) -> list[str]:
        """Ask runs to pause, resume or stop; return the ids that were asked."""
        if action not in ("pause", "resume", "stop"):
            raise ValidationFailed(f"control action must be pause, resume or stop, not {action!r}")
        for run_id in run_ids:
            self.runs.request_control(run_id, action)
            with self._live_lock:
                live = self.live.get(run_id)
            if live is not None:
                live.control = action
                with live.wake:
                    live.wake.notify_all()
        return run_ids

    def pause_all(self, paused: bool) -> None:
        self._paused_all = paused

    # --- reporting -------------------------------------------------------------------

    def status(self, run_id: str) -> dict[str, Any]:
        with self._live_lock:
            live = self.live.get(run_id)
        return live.public() if live is not None else self.runs.get(run_id)

    def _publish(self, live: LiveRun) -> None:
        self.events.publish(
            "run.progress",
            {
                "run_id": live.run_id,
                "sequence_id": live.sequence_id,
                "app_id": live.app_id,
                "status": live.status,
                "current": live.current_action,
                "total": live.total_actions,
            },
        )

    def _audit(
        self,
        ctx: RunContext,
        action: str,
        live: LiveRun | None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        parameters = {"run_id": ctx.run_id, **(extra or {})}
        if live is not None and live.error:
            parameters["error"] = live.error
        record(
            ctx.engine,
            ctx.schema,
            actor=ctx.actor.id,
            action=action,
            target_type="action_sequence",
            target_id=live.sequence_id if live else None,
            parameters=parameters,
            request_id=ctx.request_id,
        )

    def _audit_run(self, live: LiveRun, action: str) -> None:
        record(
            self.runs.engine,
            self.runs.schema,
            actor=live.actor,
            action=action,
            target_type="action_sequence",
            target_id=live.sequence_id,
            parameters={"run_id": live.run_id},
            request_id=live.request_id,
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
