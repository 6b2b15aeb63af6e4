"""Seed 000's layout-element collection over the apps' specs.

Each element belongs to an app; a write edits that app's spec and re-validates all of it,
so an element that breaks a rule (nesting depth, popover in popover, unknown reference,
grid overflow …) is refused with 422 naming the rule and nothing is stored. Concurrent
edits of one app are serialised by its version: the loser gets 409 and retries.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from trilith.api.deps import AppStoreDep, CurrentActor
from trilith.errors import Conflict, ValidationFailed
from trilith.metadata.apps import AppStore
from trilith.spec import App
from trilith.spec.edits import insert_element, remove_element, update_element

router = APIRouter(prefix="/api/sigma/layout-elements", tags=["layout elements"])


class LayoutElementCreate(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    app_id: str = Field(alias="appId")
    parent_id: str | None = Field(None, alias="parentId")
    tab_id: str | None = Field(None, alias="tabId")
    page_id: str | None = Field(None, alias="pageId")
    # Either the element itself, or seed 000's row shape: id, type and config.
    element: dict[str, Any] | None = None
    id: str | None = None
    type: str | None = None
    config: dict[str, Any] | None = None

    def element_data(self) -> dict[str, Any]:
        if self.element is not None:
            return self.element
        if self.type is None:
            raise ValidationFailed(
                "send the element as 'element': {...}, or as 'id', 'type' and 'config'",
                details=[{"field": "element", "message": "missing"}],
            )
        return {"id": self.id, "type": self.type, **(self.config or {})}


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


@router.get("")
async def list_elements(
    store: AppStoreDep,
    actor: CurrentActor,
    app_id: str | None = None,
    parent_id: str | None = None,
    type: str | None = Query(None, description="element type, e.g. container"),
) -> dict[str, Any]:
    rows = await run_in_threadpool(
        lambda: store.elements_of(app_id=app_id, parent_id=parent_id, element_type=type)
    )
    return {"layout_elements": rows, "total": len(rows)}


@router.get("/{element_id}")
async def get_element(
    element_id: str, store: AppStoreDep, actor: CurrentActor, app_id: str | None = None
) -> dict[str, Any]:
    return await run_in_threadpool(store.element, element_id, app_id)


@router.post("", status_code=201)
async def create_element(
    body: LayoutElementCreate, request: Request, store: AppStoreDep, actor: CurrentActor
) -> dict[str, Any]:
    element = body.element_data()

    def insert(app: App) -> App:
        return insert_element(
            app, element, parent_id=body.parent_id, tab_id=body.tab_id, page_id=body.page_id
        )

    def create() -> dict[str, Any]:
        _edit_app(store, body.app_id, insert, actor.id, _request_id(request))
        return store.element(str(element.get("id")), body.app_id)

    return await run_in_threadpool(create)


@router.patch("/{element_id}")
async def update(
    element_id: str,
    changes: dict[str, Any],
    request: Request,
    store: AppStoreDep,
    actor: CurrentActor,
    app_id: str | None = None,
) -> dict[str, Any]:
    def patch() -> dict[str, Any]:
        owner = _owner(store, element_id, app_id)
        edit = partial(update_element, element_id=element_id, changes=changes)
        _edit_app(store, owner, edit, actor.id, _request_id(request))
        return store.element(element_id, owner)

    return await run_in_threadpool(patch)


@router.delete("/{element_id}", status_code=204)
async def delete_element(
    element_id: str,
    request: Request,
    store: AppStoreDep,
    actor: CurrentActor,
    app_id: str | None = None,
) -> None:
    def delete() -> None:
        owner = _owner(store, element_id, app_id)
        edit = partial(remove_element, element_id=element_id)
        _edit_app(store, owner, edit, actor.id, _request_id(request))

    await run_in_threadpool(delete)


EDIT_ATTEMPTS = 5


def _edit_app(
    store: AppStore, app_id: str, edit: Callable[[App], App], actor: str, request_id: str | None
) -> None:
    """Apply `edit` to the latest version of the app; re-run it when another writer won.

    An element edit is a function of the app it is applied to, so re-deriving it from the
    newer version is safe; after `EDIT_ATTEMPTS` lost races the 409 reaches the caller.
    """
    for attempt in range(EDIT_ATTEMPTS):
        stored = store.get(app_id)
        try:
            store.apply(edit(stored.app), actor, request_id, expected_version=stored.version)
            return
        except Conflict:
            if attempt == EDIT_ATTEMPTS - 1:
                raise


def _owner(store: AppStore, element_id: str, app_id: str | None) -> str:
    return str(store.element(element_id, app_id)["app_id"])
