"""Fixtures: a migrated database (SQLite, and PostgreSQL when reachable), the fake providers."""

from __future__ import annotations

import datetime as dt
import uuid
import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from data.calendar import trading_days
from data.db import Database
from data.migrate import upgrade
from data.providers import ProviderSettings, resilience
from data.providers.resilience import RetryPolicy, reset_breakers
from data.providers.sessions import session_bounds, sessions_back
from data.versions import Change
from jobs.context import JobConfig, JobContext
from tests.providers.fake_routes import Routes
from tests.providers.fake_server import ALPACA_KEY, ALPACA_SECRET, MASSIVE_KEY, FakeProviders

with warnings.catch_warnings():
    # alpaca-py imports the deprecated websockets.legacy at import time (its streaming client);
    # importing it once here keeps `filterwarnings = error` for everything else
    warnings.simplefilter("ignore", DeprecationWarning)
    import alpaca.trading  # noqa: F401

# Friday 14 June 2024, 15:00 UTC: the market is open (11:00 New York)
MARKET_OPEN = dt.datetime(2024, 6, 14, 15, 0, tzinfo=dt.UTC)


class Clock:
    """A settable 'now' shared by the jobs and the fake providers."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        self.now += dt.timedelta(**delta)


@pytest.fixture(scope="session")
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A PostgreSQL database of this session's own (unique name), migrated, dropped at the end."""
    name = f"providers_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[Database]:
    """An empty, migrated database: a SQLite file, then PostgreSQL (emptied before each test)."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path}/providers.db")
        upgrade(database.engine)
    else:
        database = Database(request.getfixturevalue("pg_url"))  # skips locally, fails in CI
        with database.engine.begin() as conn:
            tables = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables "
                    "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            ).scalars()
            names = list(tables)
            if names:
                conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
    yield database
    database.dispose()


@pytest.fixture(scope="session", autouse=True)
def _warm_calendar() -> None:
    """Build the exchange calendar once, so no test's first request pays for it (and times out)."""
    sessions_back(dt.date(2024, 1, 2), 1)
    session_bounds(dt.date(2024, 1, 2))
    trading_days("2000-01-03", "2024-01-02")


@pytest.fixture(autouse=True)
def _fresh_breakers() -> Iterator[None]:
    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture
def clock() -> Clock:
    """Now: market open on a Friday."""
    return Clock(MARKET_OPEN)


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeProviders]:
    """Both fake providers, serving data as of `clock`."""
    server = FakeProviders(Routes(clock, (MASSIVE_KEY, ALPACA_KEY, ALPACA_SECRET))).start()
    yield server
    server.stop()


# Clients' read timeout in these tests: generous, because a loaded CI machine can take a few
# hundred milliseconds to answer; a slow-response fault waits longer than this.
READ_TIMEOUT = 2.0
SLOWER_THAN_TIMEOUT = READ_TIMEOUT + 1.0


@pytest.fixture
def sleeps() -> list[float]:
    """Every backoff pause the retry policy asked for (nothing really sleeps)."""
    return []


@pytest.fixture
def policy(sleeps: list[float]) -> RetryPolicy:
    """Fast retries whose pauses are recorded in `sleeps`; jitter fixed at half the range."""
    return RetryPolicy(attempts=4, base_delay=0.2, sleep=sleeps.append, random=lambda: 0.5)


@pytest.fixture(autouse=True)
def _no_real_sleeps(monkeypatch: pytest.MonkeyPatch, policy: RetryPolicy) -> None:
    """Adapters built by the jobs' factories use the recording policy too."""
    monkeypatch.setattr(resilience, "DEFAULT_POLICY", policy)


@pytest.fixture
def changes() -> list[Change]:
    """Every Change a job announced."""
    return []


@pytest.fixture
def config(fake: FakeProviders) -> JobConfig:
    """Massive pointed at the fake; one year of backfill."""
    return JobConfig(
        benchmarks=("SPY", "AGG"),
        backfill_years=1,
        providers=ProviderSettings(
            massive_api_key=MASSIVE_KEY,
            massive_base_url=fake.url,
            alpaca_api_key_id=ALPACA_KEY,
            alpaca_secret_key=ALPACA_SECRET,
            alpaca_paper=True,
            alpaca_trading_url=fake.url,
            alpaca_data_url=fake.url,
        ),
    )


@pytest.fixture
def ctx(db: Database, config: JobConfig, clock: Clock, changes: list[Change]) -> JobContext:
    """A job context on the test database, the fake providers and the test clock."""
    return JobContext(db=db, config=config, on_change=changes.append, now=clock)
