"""Demo data: reproducible, on the NYSE calendar, every stage, realistic benchmarks, idempotent load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from data import demo
from data.db import Database
from data.schema import Source, Stage

END = "2026-11-20"


@pytest.fixture(scope="module")
def book() -> demo.DemoBook:
    return demo.generate(seed=7, end=END)


def test_demo_is_reproducible(book: demo.DemoBook) -> None:
    again = demo.generate(seed=7, end=END)
    other = demo.generate(seed=8, end=END)
    pd.testing.assert_frame_equal(book.bars["SPY"], again.bars["SPY"])
    assert not np.allclose(book.bars["SPY"]["close"], other.bars["SPY"]["close"])


def test_demo_book_covers_every_stage_and_style(book: demo.DemoBook) -> None:
    assert len(book.strategies) == 24
    assert {s.stage for s in book.strategies} == set(Stage)
    assert len({s.style for s in book.strategies}) >= 6
    live = [s for s in book.strategies if s.stage is Stage.LIVE]
    assert all(Source.LIVE in s.series and Source.BACKTEST in s.series for s in live)
    years = [len(s.series[Source.BACKTEST]) / 252 for s in book.strategies]
    assert min(years) >= 2.9 and max(years) <= 10.1


def test_demo_uses_the_nyse_calendar(book: demo.DemoBook) -> None:
    days = book.bars["SPY"].index
    assert days[-1] == pd.Timestamp(END, tz="UTC")
    for holiday in ["2025-12-25", "2025-11-27", "2025-07-04", "2024-03-29", "2025-01-09"]:
        assert pd.Timestamp(holiday, tz="UTC") not in days  # 2025-01-09: national day of mourning
    assert (days.day_of_week < 5).all()


def test_demo_benchmarks_are_correlated_and_fat_tailed(book: demo.DemoBook) -> None:
    spy = book.bars["SPY"]["close"].pct_change().dropna()
    agg = book.bars["AGG"]["close"].pct_change().dropna()
    assert stats.kurtosis(spy) > 1.0  # excess kurtosis: fatter than normal
    assert 0.02 < spy.corr(agg) < 0.35
    assert 0.10 < spy.std() * np.sqrt(252) < 0.30


def test_demo_live_books_track_diverge_and_draw_down(book: demo.DemoBook) -> None:
    tags = [t for s in book.strategies for t in s.tags]
    assert "diverging" in tags and "deep-drawdown" in tags
    deep = next(s for s in book.strategies if "deep-drawdown" in s.tags)
    live = deep.series.get(Source.LIVE, deep.series.get(Source.PAPER))
    equity = live["equity"]
    assert (equity / equity.cummax() - 1).min() < -0.25


def test_demo_load_twice_changes_nothing(db: Database, book: demo.DemoBook) -> None:
    small = demo.DemoBook(book.bars, book.strategies[:3])
    with db.transaction() as s:
        first = demo.load(s, small)
    with db.transaction() as s:
        second = demo.load(s, small)
    assert first.rows > 5_000 and second.rows == 0


def test_a_larger_demo_book_keeps_the_named_one_and_numbers_the_rest(book: demo.DemoBook) -> None:
    large = demo.generate(seed=7, end=END, strategies=60)
    slugs = [s.slug for s in large.strategies]
    assert len(set(slugs)) == 60
    assert slugs[:24] == [s.slug for s in book.strategies]
    assert (
        large.strategies[0]
        .series[Source.BACKTEST]
        .equals(book.strategies[0].series[Source.BACKTEST])
    )
    assert large.strategies[24].name == f"{book.strategies[0].name} 2"
    assert slugs[24] == f"{slugs[0]}-2"
    with pytest.raises(ValueError, match="from 1 to 1000"):
        demo.generate(seed=7, end=END, strategies=0)
