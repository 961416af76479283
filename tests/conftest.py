"""Shared fixtures: real SQLite and PostgreSQL (rolled back per test), real Redis, fresh databases.

PostgreSQL comes from TEST_DATABASE_URL (default: the local `test` database), Redis from
TEST_REDIS_URL. When one is unreachable its tests skip locally; under CI=true they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from data import migrate
from data.db import Database

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgresql"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Under CI a skipped test is a failure: a tier that did not run is a broken run."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true: {report.longrepr}"


SKIPPED_MODULES: list[str] = []


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """Under CI a module skipped at import (a missing reference library) fails the run too."""
    if IN_CI and report.skipped:
        SKIPPED_MODULES.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if SKIPPED_MODULES and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    for nodeid in SKIPPED_MODULES:
        terminalreporter.write_line(f"FAILED (skipped under CI=true) {nodeid}", red=True)


def unavailable(what: str, why: object) -> None:
    """Skip locally; fail in CI, where a missing service is a broken run, not a skipped tier."""
    message = f"{what} unavailable: {why}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """The PostgreSQL test database URL, after checking the server answers."""
    engine = create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        unavailable("PostgreSQL", exc)
    finally:
        engine.dispose()
    return PG_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis URL on a database index the tests own (flushed before use)."""
    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception as exc:
        unavailable("Redis", exc)
    client.flushdb()
    client.close()
    return REDIS_URL


@pytest.fixture(scope="session")
def migrated_urls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Lazily migrated URLs per back end, shared by the session (tests roll back their writes)."""
    return {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'shared.db'}"}


def _migrated_url(request: pytest.FixtureRequest, backend: str, urls: dict[str, str]) -> str:
    if backend not in urls:
        url = request.getfixturevalue("pg_admin_url")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        urls[backend] = url
    if backend + ":migrated" not in urls:
        engine = create_engine(urls[backend])
        migrate.upgrade(engine)
        engine.dispose()
        urls[backend + ":migrated"] = "yes"
    return urls[backend]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each database test runs once on SQLite and once on PostgreSQL."""
    return request.param


@pytest.fixture
def db(
    request: pytest.FixtureRequest, backend: str, migrated_urls: dict[str, str]
) -> Iterator[Database]:
    """A migrated Database whose every transaction is a savepoint, all rolled back after the test."""
    url = _migrated_url(request, backend, migrated_urls)
    database = Database(url)
    with database.engine.connect() as conn:
        outer = conn.begin()
        database.bind_to(conn)
        yield database
        outer.rollback()
    database.dispose()


@pytest.fixture
def fresh_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (for migrations, subprocesses and anything that must commit)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    admin = request.getfixturevalue("pg_admin_url")
    name = f"sw_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def fresh_db(fresh_url: str) -> Iterator[Database]:
    """A migrated Database of its own, whose commits are real."""
    database = Database(fresh_url)
    migrate.upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The real create_app() on the embedded default, served on a free port, with role accounts."""
    from tests import web as web_module

    running = web_module.start(tmp_path_factory.mktemp("web"))
    yield running
    web_module.stop(running)
