"""Bulk import throughput: rows/s for a fresh load and an idempotent re-load, PostgreSQL and SQLite.

Run: .venv/bin/python tests/benchmarks/bench_bulk_import.py [--rows N] [--repeat K]
Uses the `stratwatch_bench` PostgreSQL database (created and dropped) and a temp SQLite file.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text

from data import migrate
from data.db import Database
from data.writes import ensure_strategy, write_performance

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_BENCH = "postgresql+psycopg://postgres@127.0.0.1:5432/stratwatch_bench"


def frame(rows: int) -> pd.DataFrame:
    index = pd.date_range("2016-01-04 14:30", periods=rows, freq="min", tz="UTC")
    ret = np.random.default_rng(0).normal(0, 1e-4, rows)
    return pd.DataFrame({"equity": 1e6 * np.cumprod(1 + ret), "ret": ret}, index=index)


def timed_load(db: Database, data: pd.DataFrame, slug: str) -> float:
    start = time.perf_counter()
    with db.transaction() as session:
        strategy, _ = ensure_strategy(session, slug)
        write_performance(session, strategy.id, "backtest", data, "intraday")
    return time.perf_counter() - start


def run(url: str, rows: int, repeat: int) -> tuple[list[float], list[float]]:
    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    db = Database(url)
    data = frame(rows)
    fresh = [timed_load(db, data, f"bench-{i}") for i in range(repeat)]
    again = [timed_load(db, data, f"bench-{i}") for i in range(repeat)]
    db.dispose()
    return fresh, again


def report(name: str, rows: int, fresh: list[float], again: list[float]) -> None:
    for label, times in (("fresh load", fresh), ("re-load (no-op upsert)", again)):
        median = statistics.median(times)
        print(
            f"{name:<11} {label:<24} {rows:>9,} rows  median {median:6.2f} s  {rows / median:>11,.0f} rows/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS stratwatch_bench WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE stratwatch_bench"))
    try:
        report("PostgreSQL", args.rows, *run(PG_BENCH, args.rows, args.repeat))
    finally:
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS stratwatch_bench WITH (FORCE)"))
        admin.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        rows = min(args.rows, 200_000)
        report("SQLite", rows, *run(f"sqlite:///{Path(tmp) / 'bench.db'}", rows, args.repeat))


if __name__ == "__main__":
    main()
