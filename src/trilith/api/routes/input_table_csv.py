"""CSV uploads: `POST /api/sigma/input-tables/{id}/csv` imports a file into a table, and
a multipart `POST /api/sigma/input-tables` creates a CSV table from one.

The file streams to disk (see `api.uploads`); the import runs in a worker thread.
Progress goes out as `import.progress` events on `GET /api/events`, from the upload
through parse, validate and write to done or failed; `?import_id=` lets a client pick
the id its events carry before it starts sending.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from trilith.api.deps import CurrentActor, InputTablesDep
from trilith.api.uploads import MultipartRoute, receive_upload
from trilith.auth import Actor
from trilith.auth.permissions import require
from trilith.errors import TrilithError
from trilith.events import EventBus
from trilith.input_tables.csv import CsvTableRequest, ImportProgress, Throttled, new_import_id
from trilith.input_tables.csv.options import import_options
from trilith.input_tables.csv.plan import check_importable
from trilith.input_tables.rows import WriteContext

__all__ = ["create_router", "router"]

PREFIX = "/api/sigma/input-tables"
router = APIRouter(prefix=PREFIX, tags=["input tables"])
# Included before the JSON routes of the same path: it takes multipart requests only.
create_router = APIRouter(prefix=PREFIX, tags=["input tables"], route_class=MultipartRoute)

ImportId = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="id carried by this import's progress events (generated when absent)",
    ),
]


class _Upload:
    """Publishes the upload phase of an import, and its failure if it fails there."""

    def __init__(self, events: EventBus, table_id: str | None, import_id: str) -> None:
        self.events = events
        self.state = ImportProgress(table_id, import_id, "upload")

        def publish(progress: ImportProgress) -> None:
            events.publish("import.progress", progress.as_event())

        self.publish = Throttled(publish)
        # Once the import runs, it reports its own progress and failure.
        self.handed_over = False

    def __call__(self, received: int, declared: int) -> None:
        self.state = self.state.at("upload", bytes=received, total_bytes=declared)
        self.publish(self.state)

    def failed(self, exc: TrilithError) -> None:
        if not self.handed_over:
            self.publish(self.state.at("failed", message=exc.message))


def _context(request: Request, actor: Actor) -> WriteContext:
    return WriteContext(actor.id, getattr(request.state, "request_id", None), "csv")


@router.post("/{table_id}/csv")
async def import_csv(
    table_id: str,
    request: Request,
    tables: InputTablesDep,
    actor: CurrentActor,
    import_id: ImportId = None,
) -> dict[str, Any]:
    """Import a CSV file (multipart field `file`; form fields `delimiter`, `header`,
    `mode=append|replace`). The import lands whole or not at all."""
    require(actor, "edit-input-table")
    # Refuse before the upload what no file could fix.
    check_importable(await run_in_threadpool(tables.catalog.get, table_id))
    import_id = import_id or new_import_id()
    upload_progress = _Upload(tables.events, table_id, import_id)
    try:
        async with receive_upload(request, progress=upload_progress) as upload:
            options = import_options(upload.fields)
            upload_progress.handed_over = True
            report = await run_in_threadpool(
                lambda: tables.import_csv(
                    table_id, upload.path, options, _context(request, actor), import_id=import_id
                )
            )
    except TrilithError as exc:
        upload_progress.failed(exc)
        raise
    return report.as_dict()


@create_router.post("", status_code=201, include_in_schema=False)
async def create_csv_table(
    request: Request, tables: InputTablesDep, actor: CurrentActor, import_id: ImportId = None
) -> dict[str, Any]:
    """Create a CSV input table from a multipart upload: the file in `file`, the
    definition's keys as form fields (`name`, `type=csv`, `delimiter`, `header`,
    `columns` as JSON, `id`, `data_entry`, `app_id`)."""
    require(actor, "manage-input-table")
    import_id = import_id or new_import_id()
    upload_progress = _Upload(tables.events, None, import_id)
    try:
        async with receive_upload(request, progress=upload_progress) as upload:
            table_request = CsvTableRequest.from_form(upload.fields)
            upload_progress.handed_over = True
            described, report = await run_in_threadpool(
                lambda: tables.create_from_csv(
                    table_request, upload.path, _context(request, actor), import_id=import_id
                )
            )
    except TrilithError as exc:
        upload_progress.failed(exc)
        raise
    return {**described, "import": report.as_dict()}
