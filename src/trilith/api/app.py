"""`create_app()`: the FastAPI application with its warehouse, routes and middleware."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from trilith import __version__
from trilith.actions import delivery
from trilith.actions.engine import ActionEngine
from trilith.actions.runs import RunStore
from trilith.actions.scheduler import Scheduler
from trilith.ai import config as ai_config
from trilith.ai.providers.local import register_functions
from trilith.api.errors import install_error_handlers
from trilith.api.middleware import RequestContextMiddleware
from trilith.api.routes import (
    actions,
    ai,
    apps,
    elements,
    embed,
    events,
    grants,
    health,
    input_table_csv,
    input_table_export,
    input_tables,
    layout_elements,
    session,
    sigma,
    ui,
    users,
)
from trilith.api.security import SecurityMiddleware, TrustedOriginCORS
from trilith.capabilities import collect as collect_capabilities
from trilith.embed.origins import parse_patterns
from trilith.engines.base import Engine
from trilith.engines.registry import create_engine
from trilith.errors import TrilithError
from trilith.events import EventBus
from trilith.observability.health import HealthMonitor
from trilith.observability.logs import configure_logging
from trilith.observability.metrics import Metrics
from trilith.ratelimit import RateLimiter
from trilith.settings import Settings
from trilith.warehouse import Warehouse

__all__ = ["app_from_environment", "create_app"]

log = logging.getLogger("trilith")


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.check_bind()
    parse_patterns(settings.trusted_origin_list)  # a malformed origin fails at start
    engine = engine or create_engine(settings.warehouse_url())
    warehouse = Warehouse(engine, settings.writeback_schema)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            await run_in_threadpool(warehouse.ensure_ready)
        except TrilithError as exc:
            # The server still starts: /health reports this and data routes answer 503.
            log.warning("starting without a ready warehouse: %s", exc.message)
        if settings.scheduler_interval > 0:
            app.state.scheduler.start()
        await run_in_threadpool(app.state.events.start)
        app.state.health_monitor.start()
        yield
        await run_in_threadpool(app.state.health_monitor.stop)
        await run_in_threadpool(app.state.scheduler.stop)
        await run_in_threadpool(app.state.events.stop)
        app.state.action_engine.close()
        await run_in_threadpool(warehouse.close)

    app = FastAPI(
        title="Trilith",
        version=__version__,
        summary="Warehouse-native data applications.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.warehouse = warehouse
    app.state.metrics = metrics
    app.state.events = EventBus(settings.redis_url)
    app.state.events.listen(metrics.on_event)
    engine.on_query = metrics.observe_query
    app.state.health_monitor = HealthMonitor(
        lambda: health.health_checks(warehouse, settings.redis_url),
        settings.health_interval,
        on_report=lambda report: metrics.observe_health(report.services),
    )
    app.state.action_engine = ActionEngine(
        RunStore(engine, settings.writeback_schema), app.state.events, metrics
    )
    app.state.scheduler = Scheduler(
        warehouse,
        app.state.action_engine,
        app.state.events,
        interval_s=settings.scheduler_interval,
        timezone=settings.scheduler_timezone,
    )
    delivery.configure(delivery.DeliveryConfig.from_settings(settings))
    ai_config.configure(ai_config.AIConfig.from_settings(settings, metrics.observe_usage))
    if engine.warehouse_type == "duckdb" and settings.ai_provider in (None, "local"):
        # Queries (the mock warehouse's Cortex calls among them) may call AI functions.
        register_functions(engine)
    collect_capabilities()  # imports the modules that register them, off the event loop
    app.state.rate_limiter = RateLimiter(settings.redis_url)
    app.state.started_at = time.monotonic()
    install_error_handlers(app)
    app.add_middleware(SecurityMiddleware, trusted_origins=settings.trusted_origin_list)
    app.add_middleware(TrustedOriginCORS, trusted_origins=settings.trusted_origin_list)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    app.include_router(health.router)
    app.include_router(sigma.router)
    app.include_router(apps.router)
    app.include_router(layout_elements.router)
    # Multipart POST /api/sigma/input-tables creates a CSV table; JSON falls through.
    app.include_router(input_table_csv.create_router)
    app.include_router(input_tables.router)
    app.include_router(input_table_csv.router)
    app.include_router(input_table_export.router)
    app.include_router(events.router)
    app.include_router(actions.router)
    app.include_router(elements.router)
    app.include_router(users.router)
    app.include_router(session.router)
    app.include_router(grants.router)
    app.include_router(ai.router)
    app.include_router(embed.clients)
    app.include_router(embed.router)
    app.include_router(ui.router)
    return app


def app_from_environment() -> FastAPI:
    """The application configured from the environment alone, logging included: the
    factory each uvicorn worker calls (`trilith serve --workers N`)."""
    settings = Settings()
    configure_logging(settings.log_format)
    return create_app(settings)
