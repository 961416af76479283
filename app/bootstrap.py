"""Start-up work shared by the web app and the CLI: migrate, load demo data, build job contexts."""

from __future__ import annotations

import logging

from filelock import FileLock
from sqlalchemy import func, select

from app import accounts
from app.settings import Settings
from app.store import Store
from data import demo, migrate
from data.providers import ProviderSettings
from data.schema import Strategy
from jobs.context import JobConfig, JobContext
from jobs.leader import elector_for
from jobs.registry import job_specs
from jobs.service import SchedulerService

log = logging.getLogger(__name__)


class SchemaNotCurrent(RuntimeError):
    """The database is behind the code and this is not the embedded default."""


def prepare_database(
    store: Store, *, load_demo: bool | None = None, first_admin: bool = False
) -> str | None:
    """Migrate the embedded default to head (elsewhere, insist it is); load demo data if asked.

    With `first_admin` on the embedded default, an empty account table gets an admin whose
    generated password is returned (once). A file lock makes workers starting together
    (gunicorn -w N) take turns.
    """
    store.settings.data_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(store.settings.data_dir / "startup.lock"), timeout=300):
        _prepare(store, load_demo)
        if first_admin and store.settings.embedded:
            return accounts.ensure_first_admin(store)
    return None


def _prepare(store: Store, load_demo: bool | None) -> None:
    settings = store.settings
    if not migrate.is_current(store.db.engine):
        if not settings.embedded:
            raise SchemaNotCurrent(
                "the database schema is not current: run `stratwatch db upgrade` first"
            )
        migrate.upgrade(store.db.engine)
    if (settings.load_demo if load_demo is None else load_demo) and _empty(store):
        log.info("loading demo data (first start)")
        store.write(lambda session: demo.load(session, demo.generate()))


def job_context(store: Store) -> JobContext:
    """A JobContext whose writes are announced through this store."""
    return JobContext(db=store.db, config=job_config(store.settings), on_change=store.announce)


def scheduler_service(store: Store) -> SchedulerService:
    """The scheduler for this process: every job, and an elector suited to the database."""
    ctx = job_context(store)
    elector = elector_for(store.db, store.settings.data_dir)
    return SchedulerService(
        ctx, job_specs(ctx.config), elector, poll_seconds=store.settings.scheduler_poll_seconds
    )


def job_config(settings: Settings) -> JobConfig:
    """The part of the settings that jobs need."""
    return JobConfig(
        data_dir=str(settings.data_dir),
        demo_feed_seconds=settings.demo_feed_seconds,
        providers=ProviderSettings.from_config(settings),
        benchmarks=settings.benchmarks,
        backfill_years=settings.backfill_years,
    )


def _empty(store: Store) -> bool:
    with store.reading() as session:
        return not session.scalar(select(func.count()).select_from(Strategy))
