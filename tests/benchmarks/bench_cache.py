"""Cached reads: database queries and latency of a dashboard load, cold vs repeated.

Run: .venv/bin/python tests/benchmarks/bench_cache.py [--repeat K]
Measures the embedded default (SQLite + in-process cache) and PostgreSQL + Redis when reachable.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from flask import Flask
from redis import Redis
from sqlalchemy import create_engine, text

from app import reads
from app.cache import cache
from app.factory import attach_store
from app.settings import Settings
from data import demo, migrate

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_BENCH = "postgresql+psycopg://postgres@127.0.0.1:5432/stratwatch_bench_cache"
REDIS = "redis://127.0.0.1:6379/14"


def dashboard_load() -> None:
    """What the overview plus every strategy page's main chart read."""
    book = reads.overview()
    for slug in book["slug"]:
        strategy = reads.strategy(slug)
        reads.performance(strategy["id"], "backtest")
    reads.benchmark_closes("SPY")
    reads.benchmark_closes("AGG")


def measure(url: str, data_dir: Path, redis_url: str | None, repeat: int) -> None:
    settings = Settings(
        database_url=url,
        secret_key="b" * 40,
        data_dir=data_dir,
        redis_url=redis_url,
        embedded=url.startswith("sqlite"),
        scheduler_enabled=False,
        load_demo=False,
    )
    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    server = Flask(__name__)
    store = attach_store(server, settings)
    store.write(lambda s: demo.load(s, demo.generate(seed=7, end="2026-11-20")))
    cold_q, warm_q, cold_t, warm_t = [], [], [], []
    with server.app_context():
        for _ in range(repeat):
            cache.clear()
            store.db.queries.reset()
            start = time.perf_counter()
            dashboard_load()
            cold_t.append(time.perf_counter() - start)
            cold_q.append(store.db.queries.reset())
            start = time.perf_counter()
            dashboard_load()
            warm_t.append(time.perf_counter() - start)
            warm_q.append(store.db.queries.reset())
    store.close()
    name = "SQLite + SimpleCache" if redis_url is None else "PostgreSQL + Redis"
    cq, wq = statistics.median(cold_q), statistics.median(warm_q)
    print(
        f"{name:<22} queries cold {cq:>4.0f}  repeated {wq:>3.0f}  reduction {1 - wq / cq:6.1%}   "
        f"load cold {statistics.median(cold_t) * 1e3:7.1f} ms  repeated {statistics.median(warm_t) * 1e3:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("dashboard load = overview + 24 strategy curves + 2 benchmarks (medians)")
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp), None, args.repeat)
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS stratwatch_bench_cache WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE stratwatch_bench_cache"))
    Redis.from_url(REDIS).flushdb()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            measure(PG_BENCH, Path(tmp), REDIS, args.repeat)
    finally:
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS stratwatch_bench_cache WITH (FORCE)"))
        admin.dispose()


if __name__ == "__main__":
    main()
