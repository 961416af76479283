"""What every job receives: the database, its configuration, and where to announce changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from data.db import Database
from data.providers import ProviderSettings
from data.versions import Change


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _ignore(_change: Change) -> None:
    return None


@dataclass(frozen=True)
class JobConfig:
    """The settings jobs need, copied from the app's settings (jobs do not import app/)."""

    data_dir: str = "var"
    demo_feed_seconds: float = 5.0
    benchmarks: tuple[str, ...] = ("SPY", "AGG")
    backfill_years: int = 10
    providers: ProviderSettings = field(default_factory=ProviderSettings)


@dataclass(frozen=True)
class JobContext:
    """A job's view of the world; `on_change` is called after each committed write."""

    db: Database
    config: JobConfig = field(default_factory=JobConfig)
    on_change: Callable[[Change], None] = _ignore
    now: Callable[[], dt.datetime] = _utcnow


@dataclass(frozen=True)
class JobSpec:
    """A job: `func(ctx)` does the work and returns a one-line summary of what it did."""

    id: str
    func: Callable[[JobContext], str]
    description: str
    trigger: dict[str, Any] = field(default_factory=dict)  # APScheduler add_job() trigger kwargs
