"""Reads return pandas objects; long series are bucketed in SQL the same way on every back end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data import queries
from data.bucketing import ORIGIN, bucket_width
from data.db import Database
from data.writes import ensure_benchmark, ensure_strategy, write_bars, write_performance
from tests.db.test_writes import curve


def expected_last_per_bucket(series: pd.Series, width: int) -> pd.Series:
    """The bucketing rule, computed independently in pandas: the last point of each bucket."""
    origin = pd.Timestamp(ORIGIN, tz="UTC")
    bucket = (series.index - origin).total_seconds() // width
    grouped = series.groupby(np.asarray(bucket))
    return pd.Series(
        grouped.last().to_numpy(), index=pd.DatetimeIndex(grouped.apply(lambda s: s.index[-1]))
    )


def test_performance_buckets_long_series_in_sql(db: Database) -> None:
    frame = curve(2500, start="2015-01-02")
    with db.transaction() as s:
        strategy, _ = ensure_strategy(s, "alpha")
        write_performance(s, strategy.id, "backtest", frame)
    with db.reading() as s:
        bucketed = queries.performance(s, db.capabilities, strategy.id, "backtest", max_points=200)
        full = queries.performance(s, db.capabilities, strategy.id, "backtest", max_points=5000)
    width = bucket_width(frame.index[0], frame.index[-1], 200)
    expected = expected_last_per_bucket(frame["equity"], width)
    assert 100 <= len(bucketed) <= 200
    assert len(full) == 2500
    np.testing.assert_allclose(bucketed["equity"].to_numpy(), expected.to_numpy())
    assert (bucketed.index == expected.index).all()
    assert bucketed["equity"].iloc[-1] == frame["equity"].iloc[-1]
    np.testing.assert_allclose(bucketed["ret"].iloc[1:], expected.pct_change().iloc[1:])


def test_performance_range_is_inclusive(db: Database) -> None:
    frame = curve(100)
    with db.transaction() as s:
        strategy, _ = ensure_strategy(s, "alpha")
        write_performance(s, strategy.id, "live", frame)
    start, end = frame.index[10], frame.index[20]
    with db.reading() as s:
        window = queries.performance(s, db.capabilities, strategy.id, "live", start=start, end=end)
        missing = queries.performance(s, db.capabilities, strategy.id, "paper")
    assert window.index[0] == start and window.index[-1] == end and len(window) == 11
    assert missing.empty and list(missing.columns) == ["equity", "ret"]


def test_benchmark_closes_bucketed_and_raw(db: Database) -> None:
    bars = curve(1200, start="2019-01-02").rename(columns={"equity": "close"})
    bars = bars.assign(open=bars["close"], high=bars["close"], low=bars["close"], volume=0.0)
    with db.transaction() as s:
        benchmark, _ = ensure_benchmark(s, "AGG")
        write_bars(s, benchmark, bars)
    with db.reading() as s:
        raw = queries.benchmark_closes(s, db.capabilities, "AGG")
        small = queries.benchmark_closes(s, db.capabilities, "AGG", max_points=60)
        unknown = queries.benchmark_closes(s, db.capabilities, "NOPE")
    assert len(raw) == 1200 and raw.name == "AGG"
    assert len(small) <= 60 and small.iloc[-1] == raw.iloc[-1]
    assert unknown.empty


def test_daily_returns_matrix_aligns_strategies_with_different_lives(db: Database) -> None:
    with db.transaction() as s:
        a, _ = ensure_strategy(s, "a")
        b, _ = ensure_strategy(s, "b")
        write_performance(s, a.id, "live", curve(30, start="2024-01-02"))
        write_performance(s, b.id, "live", curve(30, start="2024-01-16", seed=2))
    with db.reading() as s:
        series = queries.list_series(s)
        primary = queries.primary_sources(series)
        matrix = queries.daily_returns(s, series["series_id"].tolist())
        only_b = queries.list_series(s, b.id)
    assert set(primary) == {"live"}
    assert only_b["strategy_id"].tolist() == [b.id] and only_b["points"].tolist() == [30]
    assert matrix.shape == (40, 2)
    assert matrix.iloc[:10].isna().sum().tolist() == [0, 10]


def test_series_history_moves_with_past_values_not_with_the_newest(db: Database) -> None:
    frame = curve(30)
    with db.transaction() as s:
        strategy, _ = ensure_strategy(s, "alpha")
        write_performance(s, strategy.id, "live", frame)

    def history() -> float:
        with db.reading() as s:
            series = queries.list_series(s, strategy.id)
            stored = queries.performance(s, db.capabilities, strategy.id, "live")
        assert series["points"].tolist() == [30]
        assert series["history"].iloc[0] == pytest.approx(np.nansum(stored["ret"].iloc[:-1]))
        return float(series["history"].iloc[0])

    first = history()
    today = frame.copy()
    today.iloc[-1] = [today["equity"].iloc[-1] * 1.01, today["ret"].iloc[-1] + 0.01]
    with db.transaction() as s:  # the day in progress, updated in place
        write_performance(s, strategy.id, "live", today)
    assert history() == pytest.approx(first, abs=1e-12)
    corrected = today.copy()
    corrected.iloc[5] = [corrected["equity"].iloc[5] * 1.02, corrected["ret"].iloc[5] + 0.02]
    with db.transaction() as s:  # a correction to a past day
        write_performance(s, strategy.id, "live", corrected)
    assert abs(history() - first) > 0.01


def test_intraday_timestamps_read_back_to_the_microsecond(db: Database) -> None:
    index = pd.DatetimeIndex(
        ["2026-03-09 13:30:00.000001", "2026-03-09 13:30:00.999999", "2026-03-09 20:59:59.5"],
        tz="UTC",
    )
    frame = pd.DataFrame({"equity": [100.0, 100.5, 99.75], "ret": [np.nan, 0.005, -0.0075]}, index)
    with db.transaction() as s:
        strategy, _ = ensure_strategy(s, "alpha")
        write_performance(s, strategy.id, "live", frame, resolution="intraday")
    with db.reading() as s:
        back = queries.performance(s, db.capabilities, strategy.id, "live", "intraday")
    assert list(back.index) == list(index)
    assert back["equity"].tolist() == [100.0, 100.5, 99.75] and np.isnan(back["ret"].iloc[0])
