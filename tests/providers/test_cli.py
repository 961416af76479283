"""The ingestion job end to end through `stratwatch jobs run`, in a subprocess, against the fake."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data.db import Database
from data.providers.sessions import last_settled_session
from data.schema import Benchmark, BenchmarkBar, JobRun, Status
from tests.providers.fake_market import sessions
from tests.providers.fake_routes import Routes
from tests.providers.fake_server import ALPACA_KEY, ALPACA_SECRET, MASSIVE_KEY, FakeProviders

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ("MASSIVE_", "ALPACA_", "DATABASE_URL", "STRATWATCH_", "REDIS_URL", "SECRET_KEY")

pytestmark = pytest.mark.slow


@pytest.fixture
def live_fake() -> Iterator[FakeProviders]:
    """The fake on the real clock (the CLI runs with the real now), one page per request."""
    routes = Routes(lambda: dt.datetime.now(dt.UTC), (MASSIVE_KEY, ALPACA_KEY, ALPACA_SECRET))
    routes.page_size = 5000
    server = FakeProviders(routes).start()
    yield server
    server.stop()


def stratwatch(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS)}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_jobs_run_ingest_benchmarks_end_to_end(live_fake, tmp_path):
    url = f"sqlite:///{tmp_path}/stratwatch.db"
    env = {
        "DATABASE_URL": url,
        "STRATWATCH_DATA_DIR": str(tmp_path),
        "MASSIVE_API_KEY": MASSIVE_KEY,
        "MASSIVE_BASE_URL": live_fake.url,
    }
    result = stratwatch(env, "jobs", "run", "ingest-benchmarks")
    assert result.returncode == 0, result.stderr
    assert "massive daily bars: SPY +" in result.stdout

    now = dt.datetime.now(dt.UTC)
    first = (now - dt.timedelta(days=365 * 10 + 3)).date()
    db = Database(url)
    with db.reading() as session:
        count = session.scalar(
            select(func.count())
            .select_from(BenchmarkBar)
            .join(Benchmark, Benchmark.id == BenchmarkBar.benchmark_id)
            .where(Benchmark.symbol == "SPY")
        )
        run = session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    expected = len(sessions(first, last_settled_session(now)))
    assert abs(count - expected) <= 3  # ten calendar years back, give or take the leap days
    assert run.job_id == "ingest-benchmarks" and run.status == Status.SUCCESS

    again = stratwatch(env, "jobs", "run", "ingest-benchmarks")
    assert again.returncode == 0 and "SPY +0, AGG +0" in again.stdout

    bad = stratwatch({**env, "MASSIVE_API_KEY": "wrong"}, "jobs", "run", "ingest-benchmarks")
    assert bad.returncode != 0 and "Unknown API Key" in bad.stderr
    db.dispose()
