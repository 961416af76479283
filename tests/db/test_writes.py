"""Writes are validated, idempotent, transactional, and bump versions only when data changes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from data import queries, versions
from data.db import Database
from data.schema import PerformancePoint, Trade
from data.writes import (
    WriteError,
    append_equity,
    ensure_benchmark,
    ensure_strategy,
    write_bars,
    write_performance,
    write_trades,
)


def curve(days: int = 300, start: str = "2024-01-02", seed: int = 1) -> pd.DataFrame:
    index = pd.bdate_range(start, periods=days, tz="UTC")
    ret = np.random.default_rng(seed).normal(0.0004, 0.01, days)
    equity = 100.0 * np.cumprod(1 + ret)
    return pd.DataFrame({"equity": equity, "ret": ret}, index=index)


def test_write_performance_reads_back_exactly(db: Database) -> None:
    frame = curve().assign(ret=lambda f: f["ret"].where(f.index != f.index[0]))
    with db.transaction() as s:
        strategy, _ = ensure_strategy(s, "alpha")
        write_performance(s, strategy.id, "backtest", frame)
    with db.reading() as s:
        back = queries.performance(s, db.capabilities, strategy.id, "backtest")
    pd.testing.assert_frame_equal(back, frame, check_freq=False, check_names=False)
    assert np.isnan(back["ret"].iloc[0])


def test_write_performance_twice_changes_nothing(db: Database) -> None:
    frame = curve()
    with db.transaction() as s:
        strategy, _ = ensure_strategy(s, "alpha")
        first = write_performance(s, strategy.id, "live", frame)
    with db.transaction() as s:
        before = versions.read_all(s)
        again = write_performance(s, strategy.id, "live", frame)
        assert versions.read_all(s) == before
    assert first.rows == len(frame)
    assert again.rows == 0 and not again.scopes


def test_write_performance_overlap_updates_only_changed_rows(db: Database) -> None:
    frame = curve()
    with db.transaction() as s:
        strategy, _ = ensure_strategy(s, "alpha")
        write_performance(s, strategy.id, "live", frame)
    edited = frame.iloc[-10:].assign(equity=lambda f: f["equity"] * 1.01)
    extended = pd.concat([edited, curve(5, start="2025-06-02")])
    with db.transaction() as s:
        change = write_performance(s, strategy.id, "live", extended)
    assert change.rows == 15
    assert change.scopes == {
        versions.strategy_scope(strategy.id),
        versions.series_scope(strategy.id, "live"),
    }
    with db.reading() as s:
        back = queries.performance(s, db.capabilities, strategy.id, "live")
    assert len(back) == len(frame) + 5
    assert back["equity"].iloc[len(frame) - 1] == pytest.approx(frame["equity"].iloc[-1] * 1.01)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: f.assign(equity=-f["equity"]), "positive"),
        (lambda f: f.assign(equity=f["equity"].where(f.index != f.index[3], np.inf)), "finite"),
        (lambda f: f.tz_convert("America/New_York"), "UTC"),
        (lambda f: f.tz_localize(None), "tz-aware"),
        (lambda f: pd.concat([f, f.iloc[:1]]), "duplicate"),
        (lambda f: f.assign(ret=f["ret"].where(f.index != f.index[5], np.inf)), "return must be"),
        (lambda f: f.assign(ret=f["ret"].where(f.index != f.index[5], -1.0)), "above -100%"),
    ],
)
def test_write_performance_refuses_bad_rows_and_writes_nothing(
    db: Database, mutate, message: str
) -> None:
    with db.transaction() as s:
        strategy, _ = ensure_strategy(s, "alpha")
    with pytest.raises(WriteError, match=message), db.transaction() as s:
        write_performance(s, strategy.id, "live", mutate(curve()))
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(PerformancePoint)) == 0


def test_an_overflowing_return_into_a_stored_point_is_refused(db: Database) -> None:
    later = pd.DataFrame(
        {"equity": [1e300], "ret": [0.0]}, index=pd.DatetimeIndex(["2024-03-01"], tz="UTC")
    )
    tiny = pd.DataFrame(
        {"equity": [1e-300], "ret": [np.nan]}, index=pd.DatetimeIndex(["2024-02-01"], tz="UTC")
    )
    with db.transaction() as s:
        strategy, _ = ensure_strategy(s, "alpha")
        write_performance(s, strategy.id, "live", later)
    with pytest.raises(WriteError, match="would be infinite"), db.transaction() as s:
        write_performance(s, strategy.id, "live", tiny)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(PerformancePoint)) == 1


@pytest.mark.parametrize("slug", ["", "a/b", "Upper", "-lead", "x" * 65, "new\nline", "q?x#y"])
def test_a_strategy_slug_must_fit_in_a_url_path(db: Database, slug: str) -> None:
    with pytest.raises(WriteError, match="slug"), db.transaction() as s:
        ensure_strategy(s, slug)
    with db.transaction() as s:
        assert ensure_strategy(s, "ok_slug-2")[0].slug == "ok_slug-2"


def test_append_equity_derives_returns_from_the_stored_point(db: Database) -> None:
    frame = curve(10)
    with db.transaction() as s:
        strategy, _ = ensure_strategy(s, "alpha")
        write_performance(s, strategy.id, "live", frame)
        nxt = pd.Series(
            [frame["equity"].iloc[-1] * 1.02], index=[frame.index[-1] + pd.Timedelta(days=3)]
        )
        append_equity(s, strategy.id, "live", nxt)
    with db.reading() as s:
        back = queries.performance(s, db.capabilities, strategy.id, "live")
    assert back["ret"].iloc[-1] == pytest.approx(0.02)


def test_write_bars_and_trades_are_idempotent(db: Database) -> None:
    bars = curve(50).assign(
        open=lambda f: f["equity"],
        high=lambda f: f["equity"] * 1.01,
        low=lambda f: f["equity"] * 0.99,
        close=lambda f: f["equity"],
        volume=1e6,
    )
    trades = pd.DataFrame(
        {
            "trade_key": ["t1", "t2"],
            "ts": pd.to_datetime(["2024-01-03 15:00", "2024-01-04 15:00"], utc=True),
            "symbol": ["AAPL", "MSFT"],
            "side": ["buy", "sell"],
            "quantity": [10.0, 5.0],
            "price": [190.0, 370.5],
            "fee": [1.0, None],
            "pnl": [None, 12.5],
            "exit_ts": [None, None],
        }
    )
    with db.transaction() as s:
        benchmark, _ = ensure_benchmark(s, "SPY", name="S&P 500")
        strategy, _ = ensure_strategy(s, "alpha")
        assert write_bars(s, benchmark, bars).rows == 50
        assert write_trades(s, strategy.id, "live", trades).rows == 2
    with db.transaction() as s:
        assert write_bars(s, benchmark, bars).rows == 0
        assert write_trades(s, strategy.id, "live", trades).rows == 0
    with db.reading() as s:
        closes = queries.benchmark_closes(s, db.capabilities, "SPY")
        stored = queries.trades(s, strategy.id)
        assert s.scalar(select(func.count()).select_from(Trade)) == 2
    np.testing.assert_allclose(closes.to_numpy(), bars["close"].to_numpy())
    assert set(stored["symbol"]) == {"AAPL", "MSFT"}
    assert stored.loc[stored["symbol"] == "MSFT", "fee"].item() == 0.0


def test_failed_transaction_leaves_the_store_as_it_was(db: Database) -> None:
    with db.transaction() as s:
        strategy, _ = ensure_strategy(s, "alpha")
        write_performance(s, strategy.id, "live", curve(20))
    with pytest.raises(WriteError), db.transaction() as s:
        write_performance(s, strategy.id, "live", curve(20, start="2025-01-02"))
        write_performance(s, strategy.id, "paper", curve(5).assign(equity=-1.0))
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(PerformancePoint)) == 20
