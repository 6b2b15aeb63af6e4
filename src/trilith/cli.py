"""The `trilith` command."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from trilith import __version__
from trilith.actions.cli import run_sequence_once
from trilith.apply import apply_app, run_sql_file
from trilith.engines.base import Engine
from trilith.engines.registry import create_engine
from trilith.errors import ConfigurationError, TrilithError
from trilith.metadata.apps import AppStore
from trilith.settings import Settings
from trilith.spec import SpecError, app_json_schema, dump_app_yaml, load_app, load_app_text
from trilith.spec.edits import flatten_elements
from trilith.warehouse import Warehouse

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
DEMO_DATA = Path(".trilith")
# The demo apps ship with the source tree (`make demo` runs from a checkout).
SHOWCASE_APP = Path(__file__).resolve().parents[2] / "examples" / "showcase" / "app.yaml"
DEMO_APPS = ("growthmarketer", "showcase")

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


def _warehouse(settings: Settings) -> Warehouse:
    """A migrated warehouse, for commands that work without a server."""
    warehouse = Warehouse(create_engine(settings.warehouse_url()), settings.writeback_schema)
    warehouse.ensure_ready()
    return warehouse


def _store(settings: Settings) -> AppStore:
    warehouse = _warehouse(settings)
    return AppStore(warehouse.engine, warehouse.schema)


def _serve(
    settings: Settings,
    spec: Path | None = None,
    seed: Path | None = None,
    prepare: Callable[[Engine, str], str] | None = None,
    workers: int = 1,
) -> None:
    """Serve; first apply `spec` (after the SQL file `seed`), or run `prepare`."""
    import uvicorn

    from trilith.api import create_app
    from trilith.observability.logs import configure_logging

    settings.check_bind()
    configure_logging(settings.log_format)
    app_spec = load_app(spec) if spec else None
    url = settings.warehouse_url()
    engine = create_engine(url)
    if prepare is not None:
        warehouse = Warehouse(engine, settings.writeback_schema)
        warehouse.ensure_ready()
        console.print(prepare(engine, warehouse.schema))
    if app_spec is not None:
        warehouse = Warehouse(engine, settings.writeback_schema)
        warehouse.ensure_ready()
        if seed is not None:
            console.print(f"loaded sample data: {run_sql_file(engine, seed)} statements")
        console.print(apply_app(engine, warehouse.schema, app_spec, "cli").summary())
    if workers > 1 and not engine.SUPPORTS_MULTIPLE_PROCESSES:
        raise ConfigurationError(
            f"--workers {workers} needs a warehouse that several processes can share "
            f"(PostgreSQL, Snowflake, …); {engine.warehouse_type} files are opened by one "
            "process. Serve with one worker, or set TRILITH_WAREHOUSE to a server."
        )
    console.print(
        f"[bold]Trilith {__version__}[/] on {engine.warehouse_type} "
        f"({engine.url.redacted()}), mode {settings.sigma_mode}"
    )
    console.print(f"serving http://{settings.host}:{settings.port} with {workers} worker(s)")
    if settings.auth == "none":
        console.print("[yellow]authentication is off (TRILITH_AUTH=none, loopback only)[/]")
    elif settings.generated_admin_token:
        console.print("TRILITH_ADMIN_TOKEN was not set; this run's admin token is:")
        console.print(settings.effective_admin_token, soft_wrap=True, highlight=False)
    if workers > 1:
        engine.close()
        # Each worker builds its app from the environment: hand it this run's settings,
        # so every worker accepts the same admin token and signs with the same secret.
        os.environ.update(
            TRILITH_WAREHOUSE=url,
            DATABASE_MODE=settings.resolved_database_mode,
            TRILITH_ADMIN_TOKEN=settings.effective_admin_token,
            TRILITH_JWT_SECRET=settings.effective_jwt_secret,
        )
        # Workers share their metrics through files (prometheus_client multiprocess mode).
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            import tempfile

            os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="trilith-metrics-")
        uvicorn.run(
            "trilith.api.app:app_from_environment",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=workers,
            log_config=None,
            access_log=False,
        )
        return
    application = create_app(settings, engine=engine)
    uvicorn.run(
        application, host=settings.host, port=settings.port, log_config=None, access_log=False
    )


SpecArgument = Annotated[Path, typer.Argument(help="App spec file (YAML or JSON).", dir_okay=False)]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")]


@app.command()
def serve(
    spec: Annotated[
        Path | None, typer.Argument(help="App spec to apply at start (YAML or JSON).")
    ] = None,
    warehouse: WarehouseOption = None,
    host: HostOption = None,
    port: PortOption = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1, help="Server processes (several need a shared warehouse and TRILITH_REDIS_URL)."
        ),
    ] = 1,
) -> None:
    """Serve the API (and the UI when it is built); with APP, apply that spec first."""
    _serve(_settings(warehouse, host, port), spec, workers=workers)


@app.command()
def demo(
    warehouse: WarehouseOption = None,
    host: HostOption = None,
    port: PortOption = None,
    demo_app: Annotated[
        str, typer.Option("--app", help="growthmarketer (the default) or showcase.")
    ] = "growthmarketer",
) -> None:
    """Serve a demo app on an embedded DuckDB file, authentication off on loopback."""
    if demo_app not in DEMO_APPS:
        _fail(f"--app: got {demo_app!r}; use one of: {', '.join(DEMO_APPS)}")
    extra = {} if "TRILITH_AUTH" in os.environ else {"auth": "none"}
    DEMO_DATA.mkdir(exist_ok=True)
    settings = _settings(warehouse or DEMO_WAREHOUSE, host, port, **extra)
    if demo_app == "showcase":
        _serve(settings, SHOWCASE_APP, SHOWCASE_APP.with_name("seed.sql"))
        return
    from trilith.demo import prepare_growthmarketer

    _serve(
        settings, prepare=lambda engine, schema: prepare_growthmarketer(engine, schema, DEMO_DATA)
    )


@app.command()
def validate(spec: SpecArgument) -> None:
    """Check an app spec; list every problem with file:line:column and spec path."""
    loaded = load_app(spec)
    elements = sum(1 for _ in flatten_elements(loaded))
    typer.echo(
        f"{spec}: app '{loaded.id}' is valid ({len(loaded.pages)} pages, {elements} elements, "
        f"{len(loaded.controls)} controls, {len(loaded.input_tables)} input tables, "
        f"{len(loaded.actions)} action sequences)"
    )


@app.command()
def apply(spec: SpecArgument, warehouse: WarehouseOption = None) -> None:
    """Store an app spec in the warehouse; re-applying is idempotent and says what changed."""
    loaded = load_app(spec)
    target = _warehouse(_settings(warehouse, None, None))
    typer.echo(apply_app(target.engine, target.schema, loaded, "cli").summary())


@app.command()
def export(
    app_id: Annotated[str, typer.Argument(help="Id of a stored app.")],
    warehouse: WarehouseOption = None,
    output: OutputOption = None,
) -> None:
    """Write a stored app back out as YAML."""
    _emit(dump_app_yaml(_store(_settings(warehouse, None, None)).get(app_id).app), output)


@app.command()
def schema(output: OutputOption = None) -> None:
    """Print the JSON Schema of app specs, for editor autocompletion."""
    _emit(json.dumps(app_json_schema(), indent=2) + "\n", output)


@app.command("import-csv")
def import_csv(
    file: Annotated[Path, typer.Argument(help="CSV file (UTF-8).", exists=True, dir_okay=False)],
    table: Annotated[str, typer.Option("--table", "-t", help="Input table id.")],
    mode: Annotated[str, typer.Option(help="append, or replace the table's rows.")] = "append",
    delimiter: Annotated[
        str | None, typer.Option(help="',', ';' or 'tab'; detected when omitted.")
    ] = None,
    header: Annotated[bool, typer.Option("--header/--no-header")] = True,
    warehouse: WarehouseOption = None,
) -> None:
    """Import a CSV file into an input table, with a progress bar."""
    from trilith.input_tables.csv.command import import_csv_command

    if mode not in ("append", "replace"):
        raise ConfigurationError(f"--mode is append or replace, not {mode!r}")
    settings = _settings(warehouse, None, None)
    separator = "\t" if delimiter == "tab" else delimiter
    report = import_csv_command(
        file,
        table,
        settings.warehouse_url(),
        mode=mode,  # type: ignore[arg-type]
        delimiter=separator,
        header=header,
        settings=settings,
        console=console,
    )
    typer.echo(f"imported {report.rows} rows into {table} in {report.seconds:.2f} s")


@app.command("run-action")
def run_action(
    app_id: Annotated[str, typer.Argument(help="Id of a stored app.")],
    sequence_id: Annotated[str, typer.Argument(help="Id of one of its action sequences.")],
    selection: Annotated[
        str | None, typer.Option(help='Selected rows as JSON: \'[{"Region": "North"}]\'.')
    ] = None,
    control: Annotated[
        list[str] | None, typer.Option(help="A control value, id=value (repeatable).")
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Run an action sequence as the admin; print its effects and variables as JSON."""
    target = _warehouse(_settings(warehouse, None, None))
    controls = dict(_pair(item) for item in control or [])
    picked = _json_option("--selection", selection) if selection else []
    rows = [r for r in (picked if isinstance(picked, list) else [picked]) if isinstance(r, dict)]
    result = run_sequence_once(target.engine, target.schema, app_id, sequence_id, controls, rows)
    typer.echo(json.dumps(result, indent=2, default=str))
    if result["status"] != "completed":
        raise typer.Exit(1)


def _pair(item: str) -> tuple[str, object]:
    name, sep, value = item.partition("=")
    if not sep or not name:
        raise ConfigurationError(f"--control takes id=value, not {item!r}")
    try:
        return name, json.loads(value)
    except json.JSONDecodeError:
        return name, value


def _json_option(option: str, text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{option} is not JSON: {exc}") from None


@app.command()
def formula(
    expr: Annotated[str, typer.Argument(help="A Sigma formula, e.g. 'Round([Amount] * 1.1, 2)'.")],
    dialect: Annotated[
        str | None, typer.Option("--dialect", "-d", help="Dialect of the printed SQL.")
    ] = None,
    eval_: Annotated[
        bool, typer.Option("--eval", help="Also run it; print the value as JSON, last line.")
    ] = False,
    table: Annotated[
        str | None, typer.Option("--table", "-t", help="Table whose columns it reads.")
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Print a formula's SQL; with --eval, its value (on an embedded DuckDB, or over --table)."""
    from trilith.formula import formula_command

    url = warehouse or (_settings(None, None, None).warehouse_url() if table else None)
    text, code = formula_command(expr, dialect, eval_, table, url)
    typer.echo(text, err=code != 0)
    raise typer.Exit(code)


def _emit(text: str, output: Path | None) -> None:
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        typer.echo(text, nl=False)


@app.command()
def init(
    name: Annotated[str, typer.Argument(help="Folder to create; also the app's title.")],
) -> None:
    """Create a folder with a working example app to start from."""
    target = Path(name)
    if target.exists() and any(target.iterdir()):
        raise ConfigurationError(f"{target} exists and is not empty; pick a new folder name")
    app_id = re.sub(r"[^a-z0-9_]+", "_", target.name.lower()).strip("_") or "app"
    if app_id[0].isdigit():
        app_id = f"app_{app_id}"
    title = re.sub(r"[_\-\s]+", " ", target.name).strip().capitalize() or "My app"
    template = resources.files("trilith.templates").joinpath("app.yaml").read_text("utf-8")
    text = template.replace("__APP_ID__", app_id).replace("__APP_TITLE__", title)
    load_app_text(text, str(target / "app.yaml"))  # the scaffold must itself be valid
    target.mkdir(parents=True, exist_ok=True)
    (target / "app.yaml").write_text(text, encoding="utf-8")
    typer.echo(f"created {target / 'app.yaml'}: app '{app_id}'")
    typer.echo(f"next: trilith serve {target / 'app.yaml'}")


users_app = typer.Typer(help="Users and their API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    role: Annotated[str, typer.Option(help="viewer, editor or admin.")] = "viewer",
    email: Annotated[str | None, typer.Option(help="The user's email.")] = None,
    expires_in_days: Annotated[int | None, typer.Option(help="Token lifetime in days.")] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Create a user; the last line printed is their API token (shown only now)."""
    from trilith.auth.users import UserStore

    target = _warehouse(_settings(warehouse, None, None))
    user, issued = UserStore(target.engine, target.schema).create(
        name, role, "cli", email=email, expires_in_days=expires_in_days
    )
    console.print(f"created {user['role']} {user['name']} ({user['user_id']}); their token:")
    typer.echo(issued.token)


@users_app.command("list")
def users_list(warehouse: WarehouseOption = None) -> None:
    """List users."""
    from trilith.auth.users import UserStore

    target = _warehouse(_settings(warehouse, None, None))
    for user in UserStore(target.engine, target.schema).summaries():
        typer.echo(f"{user['user_id']}  {user['role']:7s}  {user['name']}")


@users_app.command("revoke")
def users_revoke(
    token_id: Annotated[str, typer.Argument(help="Id of the token to revoke.")],
    warehouse: WarehouseOption = None,
) -> None:
    """Revoke an API token."""
    from trilith.auth.users import UserStore

    target = _warehouse(_settings(warehouse, None, None))
    UserStore(target.engine, target.schema).revoke(token_id, "cli")
    typer.echo(f"revoked {token_id}")


@app.command("embed-url")
def embed_url(
    app_id: Annotated[str, typer.Argument(help="Id of the app to embed.")],
    user: Annotated[str, typer.Option("--user", help="The viewer's email (claim 'sub').")],
    ttl: Annotated[str, typer.Option(help="Lifetime: 90s, 15m, 1h, 7d (at most 30d).")] = "1h",
    base_url: Annotated[
        str | None, typer.Option(help="The server's public URL; default http://HOST:PORT.")
    ] = None,
    client: Annotated[
        str | None, typer.Option(help="Embed client id (default: the only one).")
    ] = None,
    account_type: Annotated[
        str, typer.Option(help="viewer, explorer, creator or admin.")
    ] = "viewer",
    team: Annotated[list[str] | None, typer.Option(help="A team of the user (repeatable).")] = None,
    attribute: Annotated[
        list[str] | None, typer.Option(help="A user attribute, name=value (repeatable).")
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Print a signed embed URL (last line); needs TRILITH_JWT_SECRET as the server has it."""
    from trilith.embed.signing import parse_ttl, sign_url
    from trilith.embed.store import EmbedClientStore

    settings = _settings(warehouse, None, None)
    target = _warehouse(settings)
    attributes = {}
    for item in attribute or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ConfigurationError(f"--attribute takes name=value, not {item!r}")
        attributes[name] = value
    signed = sign_url(
        EmbedClientStore(target.engine, target.schema, settings.jwt_secret),
        app_id,
        user,
        base_url=base_url or f"http://{settings.host}:{settings.port}",
        ttl=parse_ttl(ttl),
        client_id=client,
        account_type=account_type,
        teams=team,
        attributes=attributes,
    )
    if signed.created_client:
        console.print(f"created embed client {signed.client_id} ('cli')")
    typer.echo(signed.url)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def main() -> None:
    try:
        app()
    except SpecError as exc:
        console.print(str(exc), highlight=False, soft_wrap=True, markup=False)
        sys.exit(1)
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
