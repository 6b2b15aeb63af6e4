"""The `trilith` command."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from trilith import __version__
from trilith.errors import TrilithError
from trilith.settings import Settings

__all__ = ["app", "main"]

app = typer.Typer(
    name="trilith",
    help="Warehouse-native data applications: input tables, layout elements and actions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)

DEMO_WAREHOUSE = "duckdb:///./.trilith/demo.duckdb"

WarehouseOption = Annotated[
    str | None,
    typer.Option(
        "--warehouse", "-w", help="Engine URL; overrides TRILITH_WAREHOUSE and the modes."
    ),
]
HostOption = Annotated[str | None, typer.Option(help="Bind address (TRILITH_HOST).")]
PortOption = Annotated[int | None, typer.Option(help="Port (TRILITH_PORT).")]


def _settings(warehouse: str | None, host: str | None, port: int | None, **extra: str) -> Settings:
    overrides: dict[str, object] = {k: v for k, v in extra.items()}
    if warehouse:
        overrides["warehouse"] = warehouse
        # An explicit URL decides the engine; keep the mode only where it reads it.
        overrides.setdefault(
            "database_mode", "real_warehouse" if not _embedded(warehouse) else "embedded"
        )
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    return Settings(**overrides)  # type: ignore[arg-type]


def _embedded(url: str) -> bool:
    return url.split("://", 1)[0].lower() in ("duckdb", "sqlite")


def _serve(settings: Settings) -> None:
    import uvicorn

    from trilith.api import create_app
    from trilith.engines.registry import create_engine

    settings.check_bind()
    url = settings.warehouse_url()
    engine = create_engine(url)
    application = create_app(settings, engine=engine)
    console.print(
        f"[bold]Trilith {__version__}[/] on {engine.warehouse_type} "
        f"({engine.url.redacted()}), mode {settings.sigma_mode}"
    )
    console.print(f"serving http://{settings.host}:{settings.port}")
    if settings.auth == "none":
        console.print("[yellow]authentication is off (TRILITH_AUTH=none, loopback only)[/]")
    elif settings.generated_admin_token:
        console.print("TRILITH_ADMIN_TOKEN was not set; this run's admin token is:")
        console.print(settings.effective_admin_token, soft_wrap=True, highlight=False)
    uvicorn.run(application, host=settings.host, port=settings.port, log_level="info")


@app.command()
def serve(
    warehouse: WarehouseOption = None, host: HostOption = None, port: PortOption = None
) -> None:
    """Serve the API (and the UI when it is built) on the configured warehouse."""
    _serve(_settings(warehouse, host, port))


@app.command()
def demo(
    warehouse: WarehouseOption = None, host: HostOption = None, port: PortOption = None
) -> None:
    """Serve the demo on an embedded DuckDB file, authentication off on loopback."""
    extra = {} if "TRILITH_AUTH" in os.environ else {"auth": "none"}
    Path(".trilith").mkdir(exist_ok=True)
    _serve(_settings(warehouse or DEMO_WAREHOUSE, host, port, **extra))


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def main() -> None:
    try:
        app()
    except TrilithError as exc:
        _fail(exc.message)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        _fail(f"invalid configuration: {problems}")


def _fail(message: str) -> None:
    console.print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
    sys.exit(2)


if __name__ == "__main__":
    main()
