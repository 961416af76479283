"""The scheduler's election outlives a database outage: it keeps campaigning and leads again."""

from __future__ import annotations

import time

import pytest

from data.db import Database
from jobs.leader import AdvisoryLockElector
from jobs.service import SchedulerService

AWAY = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"  # nothing listens: refused at once


@pytest.fixture
def backend() -> str:
    """PostgreSQL only: the advisory lock is PostgreSQL's."""
    return "postgresql"


def test_the_election_outlives_a_database_outage(fresh_url: str) -> None:
    away, back = Database(AWAY), Database(fresh_url)
    elector = AdvisoryLockElector(away)
    service = SchedulerService(ctx=None, specs={}, elector=elector, poll_seconds=0.05)
    service.start()
    try:
        time.sleep(0.5)  # several failed rounds
        assert service._thread is not None and service._thread.is_alive()
        assert not service.is_leader
        elector._db = back  # the database is back
        deadline = time.monotonic() + 30
        while not service.is_leader and time.monotonic() < deadline:
            time.sleep(0.05)
        assert service.is_leader
    finally:
        service.stop()
        away.dispose()
        back.dispose()
    assert not service.is_leader
