"""Commands that load data: the demo book, users' own series, broker-account mappings."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.orm import Session

from app.cli import cli_actor, friendly, store_for
from data import audit, demo
from data.accounts import apply_mapping, load_mapping
from data.importer import ImportResult, import_files
from data.schema import Source
from data.versions import Change


@click.group("demo")
def demo_group() -> None:
    """Demo data."""


@demo_group.command("load")
@click.option("--seed", default=7, show_default=True, type=click.IntRange(0, 2**32 - 1))
@click.option(
    "--strategies",
    default=len(demo.NAMES),
    show_default=True,
    type=click.IntRange(1, 1000),
    help="How many strategies (more than 24 repeat the names, numbered).",
)
@click.pass_context
@friendly
def demo_load(ctx: click.Context, seed: int, strategies: int) -> None:
    """Load (or refresh) the seeded demo book; loading twice changes nothing."""
    store = store_for(ctx)
    book = demo.generate(seed, strategies=strategies)
    change = store.write(lambda session: demo.load(session, book))
    click.echo(f"demo data loaded: {change.rows} rows written or changed")


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--strategy", required=True, help="Slug of the strategy the series belongs to.")
@click.option("--source", required=True, type=click.Choice([s.value for s in Source]))
@click.option("--trades", type=click.Path(path_type=Path), help="A trades file to import with it.")
@click.option("--create", is_flag=True, help="Create the strategy if it does not exist.")
@click.pass_context
@friendly
def import_command(
    ctx: click.Context, file: Path, strategy: str, source: str, trades: Path | None, create: bool
) -> None:
    """Import a CSV/Parquet series (date + equity, or date + return): all rows land, or none."""
    store = store_for(ctx)
    limit = store.settings.max_upload_bytes

    def write(session: Session) -> tuple[ImportResult, Change]:
        result = import_files(
            session,
            file,
            strategy=strategy,
            source=source,
            trades_file=trades,
            create=create,
            max_bytes=limit,
        )
        audit.record(
            session,
            "import",
            actor=cli_actor(),
            target_type="strategy",
            target_id=strategy,
            ip="cli",
            detail={"source": source, "file": file.name, "rows": result.rows},
        )
        return result, result.change

    result = store.write(write)
    click.echo(result.describe())


@click.group()
def brokers() -> None:
    """Broker accounts synced into paper/live series."""


@brokers.command("load")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.pass_context
@friendly
def brokers_load(ctx: click.Context, file: Path) -> None:
    """Map strategies to broker accounts from a TOML or JSON file (see the README)."""
    mapping = load_mapping(file)

    def apply(session: Session) -> Change:
        audit.record(
            session,
            "brokers-mapped",
            actor=cli_actor(),
            target_type="file",
            target_id=file.name,
            ip="cli",
            detail={"accounts": [a.label for a in mapping]},
        )
        return apply_mapping(session, mapping)

    change = store_for(ctx).write(apply)
    click.echo(f"{len(mapping)} account(s) mapped; {change.rows} row(s) changed")
