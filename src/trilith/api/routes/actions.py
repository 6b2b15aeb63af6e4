"""Action sequences and their runs.

Seed 000's collection `/api/sigma/actions` (define, list, change, delete, execute) and
seed 004 §7.2's `/api/actions` (execute, status, control, history). Viewers may run
sequences (an input-table write inside still needs the editor role); admins define them.
Execution is rate limited per actor (`TRILITH_ACTION_RATE_LIMIT`, 30/minute by default),
and so is the status poll (`TRILITH_STATUS_RATE_LIMIT`, 100/minute).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_snake
from starlette.concurrency import run_in_threadpool

from trilith.actions.context import Selection
from trilith.actions.model import ActionSequence
from trilith.actions.service import Actions
from trilith.api.deps import ActionsDep, CurrentActor
from trilith.auth import Actor
from trilith.auth.permissions import Resource, allowed, require
from trilith.errors import NotFound, PermissionDenied, ValidationFailed

router = APIRouter(tags=["actions"])


class _Body(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class SelectionBody(_Body):
    rows: list[dict[str, Any]] = []
    columns: list[str] = []
    element_id: str | None = Field(None, alias="elementId")
    element_type: str | None = Field(None, alias="elementType")


class ContextBody(_Body):
    selection: SelectionBody | None = None
    controls: dict[str, Any] = {}
    variables: dict[str, Any] = Field(default_factory=dict, alias="actionVariables")
    element_id: str | None = Field(None, alias="elementId")
    app_id: str | None = Field(None, alias="appId")


class ExecuteBody(_Body):
    sequence_id: str = Field(alias="sequenceId")
    app_id: str | None = Field(None, alias="appId")
    context: ContextBody = ContextBody()
    wait_ms: int | None = Field(None, ge=0, le=3_600_000, alias="waitMs")


class RunBody(_Body):
    context: ContextBody = ContextBody()
    wait_ms: int | None = Field(None, ge=0, le=3_600_000, alias="waitMs")


class ControlBody(_Body):
    action: Literal["pause", "resume", "stop"]


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


async def _rate_limit(request: Request, route_class: str, actor: Actor) -> None:
    """Per actor and route class (`trilith.ratelimit.ROUTE_CLASSES`); 429 past the rate."""
    state = request.app.state
    await run_in_threadpool(state.rate_limiter.check, state.settings, route_class, actor.id)


async def _execute(
    request: Request,
    actions: Actions,
    actor: Actor,
    sequence_id: str,
    app_id: str | None,
    body: ContextBody,
    wait_ms: int | None,
    idempotency_key: str | None,
) -> JSONResponse:
    require(actor, "execute-action")
    await _rate_limit(request, "execute", actor)

    def run() -> dict[str, Any]:
        sequence = actions.catalog.get(sequence_id, app_id)
        owner = sequence.app_id or app_id or body.app_id
        if owner is not None:
            require(actor, "execute-action", Resource("app", owner))
        elif actor.app_scope is not None:
            raise PermissionDenied(
                f"an embed session of app '{actor.app_scope}' may run only that app's sequences"
            )
        ctx = actions.context(
            actor,
            owner,
            controls=body.controls,
            selection=Selection(
                rows=body.selection.rows,
                columns=body.selection.columns,
                element_id=body.selection.element_id,
            )
            if body.selection
            else Selection(),
            variables=body.variables,
            element_id=body.element_id,
            request_id=_request_id(request),
        )
        wait_s = None if wait_ms is None else wait_ms / 1000
        return actions.engine.execute(sequence, ctx, idempotency_key=idempotency_key, wait_s=wait_s)

    run_state = await run_in_threadpool(run)
    return JSONResponse(_result(run_state), status_code=200 if run_state["finished_at"] else 202)


def _result(run: dict[str, Any]) -> dict[str, Any]:
    started = dt.datetime.fromisoformat(run["started_at"])
    finished = dt.datetime.fromisoformat(run["finished_at"]) if run["finished_at"] else None
    written = sum(
        1
        for s in run["steps"]
        if s.get("type", "").endswith("_rows") and s["status"] == "completed"
    )
    return {
        "success": run["status"] == "completed",
        "sequence_id": run["sequence_id"],
        "status": run["status"],
        "error": run["error"],
        "effects": run["effects"],
        "result": {
            "execution_id": run["run_id"],
            "actions_executed": sum(1 for s in run["steps"] if s["status"] != "failed"),
            "data_modified": written > 0,
            "output_variables": run["output_variables"],
        },
        "run": run,
        "execution_time_ms": round((finished - started).total_seconds() * 1000, 3)
        if finished
        else None,
    }


# --- definitions ------------------------------------------------------------------------


@router.get("/api/sigma/actions")
async def list_sequences(
    actions: ActionsDep, actor: CurrentActor, app_id: str | None = None
) -> dict[str, Any]:
    require(actor, "execute-action")
    found = await run_in_threadpool(actions.catalog.summaries, app_id)
    return {"actions": found, "total": len(found)}


@router.post("/api/sigma/actions", status_code=201)
async def create_sequence(
    sequence: ActionSequence, request: Request, actions: ActionsDep, actor: CurrentActor
) -> dict[str, Any]:
    require(actor, "manage-action")
    stored = await run_in_threadpool(actions.define, sequence, actor, _request_id(request), False)
    return stored.model_dump(mode="json")


@router.get("/api/sigma/actions/{sequence_id}")
async def get_sequence(
    sequence_id: str, actions: ActionsDep, actor: CurrentActor, app_id: str | None = None
) -> dict[str, Any]:
    require(actor, "execute-action")
    found = await run_in_threadpool(actions.catalog.get, sequence_id, app_id)
    return found.model_dump(mode="json")


@router.patch("/api/sigma/actions/{sequence_id}")
async def update_sequence(
    sequence_id: str,
    changes: dict[str, Any],
    request: Request,
    actions: ActionsDep,
    actor: CurrentActor,
    app_id: str | None = None,
) -> dict[str, Any]:
    require(actor, "manage-action")
    if changes.get("id", sequence_id) != sequence_id:
        raise ValidationFailed("the id of a sequence cannot change")

    def patch() -> dict[str, Any]:
        current = actions.catalog.get(sequence_id, app_id)
        snake = {to_snake(key): value for key, value in changes.items()}
        merged = ActionSequence.model_validate({**current.model_dump(), **snake})
        return actions.define(merged, actor, _request_id(request), True).model_dump(mode="json")

    return await run_in_threadpool(patch)


@router.delete("/api/sigma/actions/{sequence_id}", status_code=204)
async def delete_sequence(
    sequence_id: str,
    request: Request,
    actions: ActionsDep,
    actor: CurrentActor,
    app_id: str | None = None,
) -> Response:
    require(actor, "manage-action")
    await run_in_threadpool(
        actions.catalog.delete, sequence_id, app_id, actor.id, _request_id(request)
    )
    return Response(status_code=204)


# --- execution --------------------------------------------------------------------------

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


@router.post("/api/sigma/actions/{sequence_id}/execute")
async def execute_sequence(
    sequence_id: str,
    request: Request,
    actions: ActionsDep,
    actor: CurrentActor,
    body: RunBody | None = None,
    app_id: str | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    body = body or RunBody()
    return await _execute(
        request, actions, actor, sequence_id, app_id, body.context, body.wait_ms, idempotency_key
    )


@router.post("/api/actions/execute")
async def execute(
    body: ExecuteBody,
    request: Request,
    actions: ActionsDep,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await _execute(
        request,
        actions,
        actor,
        body.sequence_id,
        body.app_id,
        body.context,
        body.wait_ms,
        idempotency_key,
    )


@router.get("/api/actions/runs/{run_id}")
async def run_status(run_id: str, actions: ActionsDep, actor: CurrentActor) -> dict[str, Any]:
    require(actor, "execute-action")
    run = await run_in_threadpool(actions.engine.status, run_id)
    _own_or_admin(actor, run)
    return run


@router.get("/api/actions/sequences/{sequence_id}/status")
async def sequence_status(
    sequence_id: str,
    request: Request,
    actions: ActionsDep,
    actor: CurrentActor,
    app_id: str | None = None,
) -> dict[str, Any]:
    """The sequence's latest run (yours, or anyone's for admins) and whether it is paused."""
    require(actor, "execute-action")
    await _rate_limit(request, "status", actor)
    return await run_in_threadpool(actions.sequence_status, sequence_id, app_id, actor)


@router.post("/api/actions/sequences/{sequence_id}/control")
async def control_sequence(
    sequence_id: str,
    body: ControlBody,
    request: Request,
    actions: ActionsDep,
    actor: CurrentActor,
    app_id: str | None = None,
) -> dict[str, Any]:
    require(actor, "execute-action")
    result = await run_in_threadpool(
        actions.control_sequence, sequence_id, app_id, body.action, actor, _request_id(request)
    )
    return {"sequence_id": sequence_id, "action": body.action, "success": True, "result": result}


@router.post("/api/actions/control")
async def control_all(
    body: ControlBody, request: Request, actions: ActionsDep, actor: CurrentActor
) -> dict[str, Any]:
    """Pause, resume or stop every sequence (admins)."""
    require(actor, "manage-action")
    result = await run_in_threadpool(actions.control_all, body.action, actor, _request_id(request))
    return {"action": body.action, "success": True, "result": result}


@router.get("/api/actions/history")
async def history(
    actions: ActionsDep,
    actor: CurrentActor,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1)] = 50,
    status: Literal["running", "completed", "failed", "paused", "stopped"] | None = None,
    date_from: Annotated[dt.date | None, Query(alias="date_from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="date_to")] = None,
) -> dict[str, Any]:
    require(actor, "execute-action")
    limit = min(limit, 100)
    since = dt.datetime.combine(date_from, dt.time.min) if date_from else None
    until = dt.datetime.combine(date_to, dt.time.max) if date_to else None
    who = None if allowed(actor, "manage-action") else actor.id
    records, total = await run_in_threadpool(
        lambda: actions.engine.runs.find(
            actor=who,
            statuses=(status,) if status else (),
            since=since,
            until=until,
            limit=limit,
            offset=(page - 1) * limit,
        )
    )
    pages = max(1, -(-total // limit))
    return {
        "history": records,
        "pagination": {
            "current_page": page,
            "total_pages": pages,
            "total_records": total,
            "has_next": page < pages,
            "has_previous": page > 1,
        },
    }


def _own_or_admin(actor: Actor, run: dict[str, Any]) -> None:
    if run["actor"] != actor.id and not allowed(actor, "manage-action"):
        raise NotFound(f"no action run '{run['run_id']}'")
