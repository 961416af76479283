"""The `stratwatch` command line (also `python -m app`): serve, db, demo, import, users, jobs."""

from __future__ import annotations

import functools
import getpass
import logging
import signal
import sys
from collections.abc import Callable
from typing import Any

import click
from sqlalchemy.exc import OperationalError

from app import bootstrap
from app.settings import Settings, SettingsError
from app.store import Store
from data import migrate
from data.importer import ImportRefused
from data.users import AccountError
from data.writes import WriteError
from jobs.registry import job_specs
from jobs.runner import run_job

USER_ERRORS = (
    migrate.MigrationRefused,
    AccountError,
    SettingsError,
    ImportRefused,
    WriteError,
    FileNotFoundError,
    bootstrap.SchemaNotCurrent,
)


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected failures into a one-line message on stderr and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from exc
        except OperationalError as exc:  # unreachable server, refused login, locked file
            first = str(exc.orig or exc).strip().splitlines()[0]
            raise click.ClickException(f"the database is not answering: {first}") from exc
        except OSError as exc:  # a directory or an unreadable file given as a path
            raise click.ClickException(f"{exc.filename or ''}: {exc.strerror or exc}") from exc

    return wrapper


def store_for(ctx: click.Context) -> Store:
    """The store for this invocation, its schema current (the embedded default migrates itself)."""
    return _migrated(ctx)


def _store(ctx: click.Context) -> Store:
    """The store for this invocation, with the schema brought up to date on the embedded default."""
    settings: Settings = ctx.obj["settings"]()
    store = Store(settings)
    ctx.call_on_close(store.close)
    return store


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Stratwatch: watch trading strategies from backtest to live. Honours DATABASE_URL."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = {"settings": functools.cache(Settings.from_env)}


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Dash dev tools and reloading (development only).")
@click.pass_context
@friendly
def serve(ctx: click.Context, host: str, port: int, debug: bool) -> None:
    """Serve the dashboard; the embedded default makes its database and demo data on first start."""
    from app.factory import create_app

    app = create_app(ctx.obj["settings"]())
    click.echo(f"Stratwatch on http://{host}:{port}  (Ctrl+C to stop)")
    app.run(host=host, port=port, debug=debug, use_reloader=False)


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
@click.pass_context
@friendly
def db_upgrade(ctx: click.Context, revision: str) -> None:
    """Migrate the schema up to REVISION (default: head)."""
    store = _store(ctx)
    migrate.upgrade(store.db.engine, revision)
    click.echo(f"schema at {migrate.current_revision(store.db.engine)}")


@db.command("downgrade")
@click.argument("revision")
@click.pass_context
@friendly
def db_downgrade(ctx: click.Context, revision: str) -> None:
    """Migrate the schema down to REVISION ('base' removes every table)."""
    store = _store(ctx)
    migrate.downgrade(store.db.engine, revision)
    click.echo(f"schema at {migrate.current_revision(store.db.engine) or 'base'}")


@db.command("current")
@click.pass_context
@friendly
def db_current(ctx: click.Context) -> None:
    """Print the schema revision."""
    click.echo(migrate.current_revision(_store(ctx).db.engine) or "base (empty)")


@cli.group()
def jobs() -> None:
    """Scheduled jobs."""


@jobs.command("list")
@click.pass_context
@friendly
def jobs_list(ctx: click.Context) -> None:
    """List every job with its schedule."""
    for spec in job_specs(bootstrap.job_config(ctx.obj["settings"]())).values():
        schedule = ", ".join(f"{k}={v}" for k, v in spec.trigger.items())
        click.echo(f"{spec.id}\t{schedule}\t{spec.description}")


@jobs.command("run")
@click.argument("job_id")
@click.pass_context
@friendly
def jobs_run(ctx: click.Context, job_id: str) -> None:
    """Run one job once, in the foreground; exit status 1 when it fails."""
    store = _migrated(ctx)
    job_ctx = bootstrap.job_context(store)
    specs = job_specs(job_ctx.config)
    if job_id not in specs:
        raise click.ClickException(f"unknown job {job_id!r}; known: {', '.join(specs)}")
    try:
        click.echo(run_job(specs[job_id], job_ctx))
    except Exception as exc:
        raise click.ClickException(f"job {job_id} failed: {exc}") from exc


@jobs.command("serve")
@click.pass_context
@friendly
def jobs_serve(ctx: click.Context) -> None:
    """Run the scheduler in this process (one leader across processes) until interrupted."""
    # No signal handler (one could interrupt the loop inside a lock it then needs): SIGTERM and
    # SIGINT are blocked in every thread, from before the first starts, and awaited here.
    stops = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    service = bootstrap.scheduler_service(_migrated(ctx))
    service.start()
    click.echo("scheduler running (Ctrl+C to stop)")
    received = signal.sigwait(stops)
    click.echo(f"{signal.Signals(received).name}: finishing running jobs, then stopping")
    service.stop()


def cli_actor() -> str:
    """Who runs the command, for the audit log: the operating-system user."""
    return f"cli:{getpass.getuser()}"


def _migrated(ctx: click.Context) -> Store:
    store = _store(ctx)
    bootstrap.prepare_database(store, load_demo=False)
    return store


def _register_commands() -> None:
    from app.cli_accounts import teams, users
    from app.cli_data import brokers, demo_group, import_command

    for command in (users, teams, demo_group, import_command, brokers):
        cli.add_command(command)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="stratwatch")


if __name__ == "__main__":
    main(sys.argv[1:])
