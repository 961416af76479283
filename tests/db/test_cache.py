"""Cached reads: a repeated dashboard load barely touches the database, and no read is ever stale."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask

from app import reads
from app.cache import versioned
from app.factory import attach_store
from app.settings import Settings
from app.store import Store
from data import demo, migrate
from data.db import make_engine
from data.writes import append_equity

ROOT = Path(__file__).resolve().parents[2]


def settings_for(url: str, data_dir: Path, redis_url: str | None = None) -> Settings:
    return Settings(
        database_url=url,
        secret_key="s" * 32,
        data_dir=data_dir,
        redis_url=redis_url,
        embedded=url.startswith("sqlite"),
        scheduler_enabled=False,
        load_demo=False,
    )


@pytest.fixture(params=["local", "redis"])
def clock(request: pytest.FixtureRequest) -> str | None:
    """Run with the in-process clock, and with the Redis clock shared by processes."""
    return request.getfixturevalue("redis_url") if request.param == "redis" else None


@pytest.fixture
def server(fresh_url: str, tmp_path: Path, clock: str | None) -> Iterator[Flask]:
    engine = make_engine(fresh_url)
    migrate.upgrade(engine)
    engine.dispose()
    if clock:
        from redis import Redis

        Redis.from_url(clock).flushdb()
    flask_app = Flask(__name__)
    store = attach_store(flask_app, settings_for(fresh_url, tmp_path, clock))
    book = demo.generate(seed=3, end="2026-11-20")
    store.write(lambda s: demo.load(s, demo.DemoBook(book.bars, book.strategies[:4])))
    with flask_app.app_context():
        yield flask_app
    store.close()


def dashboard_load() -> None:
    """What opening the overview and a strategy page reads."""
    book = reads.overview()
    for slug in book["slug"]:
        found = reads.strategy(slug)
        reads.performance(found["id"], "backtest")
    reads.benchmark_closes("SPY")
    reads.benchmark_closes("AGG")


def test_repeated_load_issues_far_fewer_queries(server: Flask) -> None:
    store: Store = server.extensions["stratwatch"]
    store.db.queries.reset()
    dashboard_load()
    first = store.db.queries.reset()
    dashboard_load()
    repeated = store.db.queries.reset()
    reduction = 1 - repeated / first
    print(f"\nqueries: first load {first}, repeated {repeated}, reduction {reduction:.0%}")
    assert first >= 10
    assert reduction >= 0.95


def test_read_after_write_is_never_stale(server: Flask) -> None:
    store: Store = server.extensions["stratwatch"]
    before = reads.overview().set_index("slug")
    slug = before.index[0]
    strategy = reads.strategy(slug)
    curve = reads.performance(strategy["id"], "backtest")
    new_day = curve.index[-1] + pd.Timedelta(days=1)
    point = pd.Series([curve["equity"].iloc[-1] * 1.05], index=pd.DatetimeIndex([new_day]))
    store.write(lambda s: append_equity(s, strategy["id"], "backtest", point))
    after = reads.performance(strategy["id"], "backtest", max_points=None)
    assert after.index[-1] == new_day
    assert after["ret"].iloc[-1] == pytest.approx(0.05)
    if before.loc[slug, "source"] == "backtest":
        assert reads.overview().set_index("slug").loc[slug, "today"] == pytest.approx(0.05)


def test_a_live_tick_leaves_the_backtest_cached_and_rereads_live(server: Flask) -> None:
    store: Store = server.extensions["stratwatch"]
    live = reads.overview().query("source == 'live'").iloc[0]
    reads.performance(int(live["id"]), "backtest")
    before = reads.performance(int(live["id"]), "live")
    tick = before.index[-1] + pd.Timedelta(days=1)
    point = pd.Series([before["equity"].iloc[-1] * 0.99], index=pd.DatetimeIndex([tick]))
    store.write(lambda s: append_equity(s, int(live["id"]), "live", point))
    store.clock.versions()  # the clock's own catch-up after a write may read the versions table
    store.db.queries.reset()
    reads.performance(int(live["id"]), "backtest")
    assert store.db.queries.reset() == 0  # still cached: the tick was live
    assert reads.performance(int(live["id"]), "live").index[-1] == tick
    assert store.db.queries.reset() > 0


def test_write_from_another_process_is_seen(server: Flask, tmp_path: Path) -> None:
    store: Store = server.extensions["stratwatch"]
    slug = reads.overview()["slug"].iloc[0]
    strategy = reads.strategy(slug)
    last = reads.performance(strategy["id"], "paper").index
    assert len(reads.performance(strategy["id"], "paper")) == len(last)  # now cached
    csv = tmp_path / "more.csv"
    csv.write_text("date,return\n2031-01-02,0.01\n2031-01-03,0.02\n")
    env = {
        **os.environ,
        "DATABASE_URL": store.settings.database_url,
        "STRATWATCH_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "s" * 32,
        "STRATWATCH_SCHEDULER": "0",
    }
    env.pop("REDIS_URL", None)
    if store.settings.redis_url:
        env["REDIS_URL"] = store.settings.redis_url
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "import",
            str(csv),
            "--strategy",
            slug,
            "--source",
            "paper",
            "--create",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    fresh = reads.performance(strategy["id"], "paper")
    assert fresh.index[-1] == pd.Timestamp("2031-01-03", tz="UTC")


def test_announce_publishes_data_changed(server: Flask) -> None:
    store: Store = server.extensions["stratwatch"]
    seen: list[dict] = []
    stop = store.bus.subscribe(seen.append)
    strategy = reads.strategy(reads.overview()["slug"].iloc[0])
    point = pd.Series([123.0], index=pd.DatetimeIndex([pd.Timestamp("2031-06-02", tz="UTC")]))
    store.write(lambda s: append_equity(s, strategy["id"], "live", point))
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.02)
    stop()
    assert seen and seen[0]["type"] == "data.changed"
    assert f"strategy:{strategy['id']}" in seen[0]["scopes"]


def test_simultaneous_misses_compute_once(server: Flask) -> None:
    calls: list[int] = []

    @versioned(lambda: ["test:flight"])
    def slow() -> int:
        calls.append(1)
        time.sleep(0.3)
        return 42

    def read(_: int) -> int:
        with server.app_context():
            return slow()

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(read, range(8))) == [42] * 8
    assert len(calls) == 1
