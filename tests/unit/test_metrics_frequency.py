"""Records observed weekly, monthly or with gaps are annualised and paired by their own periods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.comparison import compare
from data.comparison.periods import on_common_periods
from data.metrics import compute_metrics
from data.metrics.frequency import benchmark_over, periods_per_year


def daily_equity(days: int = 1500, seed: int = 3) -> pd.Series:
    index = pd.bdate_range("2016-01-04", periods=days, tz="UTC")
    ret = np.random.default_rng(seed).normal(0.0004, 0.01, days)
    return pd.Series(100 * np.cumprod(1 + ret), index=index)


def sampled(equity: pd.Series, rule: str) -> pd.Series:
    """The equity at the last trading day of each period, as a tool would export it."""
    return equity.groupby(equity.index.tz_localize(None).to_period(rule)).tail(1)


@pytest.mark.parametrize(("rule", "expected"), [("W", 52.0), ("M", 12.0), ("Q", 4.0), ("Y", 1.0)])
def test_the_frequency_is_read_from_the_spacing(rule: str, expected: float) -> None:
    equity = daily_equity(3000)
    assert periods_per_year(sampled(equity, rule).index) == expected


def test_daily_records_are_252_unless_weekends_trade() -> None:
    equity = daily_equity()
    gappy = equity.drop(equity.index[::7])  # a live record with missed days is still daily
    assert periods_per_year(equity.index) == periods_per_year(gappy.index) == 252.0
    crypto = pd.date_range("2020-01-01", periods=400, freq="D", tz="UTC")
    assert periods_per_year(crypto) == 365.0
    assert periods_per_year(equity.index[:1]) == 252.0  # cannot tell: the daily convention


def test_monthly_metrics_are_annualised_by_twelve() -> None:
    monthly = sampled(daily_equity(3000), "M").pct_change().dropna()
    inferred = compute_metrics(monthly, periods_per_year=None, keys=["cagr", "volatility"])
    explicit = compute_metrics(monthly, periods_per_year=12, keys=["cagr", "volatility"])
    pd.testing.assert_frame_equal(inferred, explicit)
    assert float(explicit.loc["volatility"].iloc[0]) == pytest.approx(monthly.std() * np.sqrt(12))


def test_daily_and_monthly_columns_share_one_call() -> None:
    equity = daily_equity(3000)
    daily, monthly = equity.pct_change(), sampled(equity, "M").pct_change()
    both = compute_metrics(
        pd.DataFrame({"d": daily, "m": monthly}), periods_per_year=None, keys=["sharpe", "cagr"]
    )
    alone_d = compute_metrics(daily.rename("d"), keys=["sharpe", "cagr"])
    alone_m = compute_metrics(monthly.rename("m"), periods_per_year=12, keys=["sharpe", "cagr"])
    assert list(both.columns) == ["d", "m"]
    pd.testing.assert_series_equal(both["d"], alone_d["d"])
    pd.testing.assert_series_equal(both["m"], alone_m["m"])
    cagr = both.loc["cagr"].astype(float)
    assert abs(cagr["d"] - cagr["m"]) < 0.01  # the same money, measured twice


def test_a_monthly_strategy_is_paired_with_the_benchmarks_month() -> None:
    closes = daily_equity(seed=9)
    months = sampled(closes, "M")
    bench = benchmark_over(closes, months.index)
    np.testing.assert_allclose(bench.iloc[1:], months.pct_change().iloc[1:])
    # the strategy *is* the benchmark: beta and correlation 1, not a month-end day's noise
    metrics = compute_metrics(
        months.pct_change().dropna(), bench, periods_per_year=None, keys=["beta", "correlation"]
    )
    assert metrics.astype(float).iloc[:, 0].to_numpy() == pytest.approx([1.0, 1.0])


def test_a_skipped_day_is_paired_with_the_benchmarks_two_days() -> None:
    closes = daily_equity(50)
    dates = closes.index.delete(10)
    bench = benchmark_over(closes, dates)
    assert bench.loc[dates[10]] == pytest.approx(closes.iloc[11] / closes.iloc[9] - 1)
    assert bench.iloc[0] is not None and np.isnan(bench.iloc[0])  # no bar before the first
    later = dates.append(pd.DatetimeIndex([closes.index[-1] + pd.Timedelta(days=3)]))
    assert np.isnan(benchmark_over(closes, later).iloc[-1])  # past the last close: unknown


def test_a_daily_live_record_is_compared_with_a_monthly_backtest_by_months() -> None:
    backtest = sampled(daily_equity(2500, seed=4), "M").pct_change().dropna()
    live_days = pd.bdate_range("2026-01-01", periods=260, tz="UTC")
    live = pd.Series(np.random.default_rng(5).normal(0.0004, 0.01, len(live_days)), index=live_days)
    live_m, back_m, periods = on_common_periods(live, backtest)
    assert periods == 12.0 and back_m is backtest
    assert 11 <= len(live_m) <= 12  # a year of months, the partial last one left out
    assert live_m.iloc[0] == pytest.approx(np.prod(1 + live[live.index.month == 1]) - 1)
    result = compare(live, backtest, periods_per_year=None)
    assert result.n_live == len(live_m)
