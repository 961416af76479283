"""Degenerate inputs: NaN where undefined, never ±inf, never a warning or a crash."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.metrics import (
    METRICS,
    compute_metrics,
    drawdown_episodes,
    drawdown_series,
    drawdown_stats,
    top_drawdowns,
)
from tests.unit.metrics_fixtures import ragged_frame, series


def _numbers(frame: pd.DataFrame) -> np.ndarray:
    """The numeric (non-date) cells as floats."""
    keys = [k for k in frame.index if METRICS[k].unit != "date"]
    return frame.loc[keys].to_numpy(dtype=float)


def _assert_no_infinity(frame: pd.DataFrame) -> None:
    assert not np.isinf(_numbers(frame)).any()


@pytest.mark.parametrize(
    "values",
    [[0.01], [0.0] * 30, [0.004] * 30, [-1.0, 0.0, 0.0], [0.5, -1.0], [np.nan] * 5],
    ids=["single", "zeros", "constant", "wipeout-first", "wipeout-later", "all-nan"],
)
def test_degenerate_series_give_nan_not_infinity(values):
    r = series(values)
    b = series(list(np.linspace(-0.01, 0.01, len(values))))
    trades = pd.DataFrame({"strategy": ["s"], "pnl": [0.0]})
    _assert_no_infinity(compute_metrics(r, b, trades=trades, n_trials=3, trials_sharpe_std=1.0))


def test_single_observation():
    m = compute_metrics(series([0.02]))["s"]
    assert m["total_return"] == pytest.approx(0.02)
    assert m["max_drawdown"] == 0.0
    for key in ("sharpe", "volatility", "sortino", "skew", "kurtosis", "probabilistic_sharpe"):
        assert np.isnan(m[key]), key


def test_constant_returns_have_zero_volatility_and_no_sharpe():
    m = compute_metrics(series([0.004] * 60))["s"]
    assert m["volatility"] == 0.0
    assert np.isnan(m["sharpe"]) and np.isnan(m["skew"]) and np.isnan(m["smart_sharpe"])
    assert np.isnan(m["sortino"])  # no downside at all
    assert m["max_drawdown"] == 0.0
    assert m["avg_drawdown"] == 0.0 and m["longest_drawdown_days"] == 0
    assert m["max_drawdown_start"] is pd.NaT


@pytest.mark.parametrize("daily", [0.001, -0.999, 0.0123])
def test_constant_returns_have_no_treynor_ratio_whatever_the_benchmark(daily):
    # β of a constant series is 0 up to rounding (e.g. -2e-34): no ratio, not ±1e33
    r = series([daily] * 250)
    b = series(list(np.random.default_rng(7).normal(0.0004, 0.01, 250)))
    m = compute_metrics(r, b)["s"]
    assert np.isnan(m["treynor_ratio"]) and np.isnan(m["correlation"])


def test_zero_returns_have_no_wins_no_losses():
    m = compute_metrics(series([0.0] * 40))["s"]
    assert m["total_return"] == 0.0 and m["time_in_market"] == 0.0
    assert np.isnan(m["win_days"]) and np.isnan(m["profit_factor"]) and np.isnan(m["sharpe"])
    assert m["max_consecutive_wins"] == 0


def test_total_loss():
    m = compute_metrics(series([0.05, -1.0, 0.0]))["s"]
    assert m["total_return"] == -1.0
    assert m["max_drawdown"] == -1.0
    assert m["cagr"] == -1.0


def test_empty_input_gives_all_nan_rows():
    frame = pd.DataFrame({"a": [], "b": []}, index=pd.DatetimeIndex([]), dtype=float)
    m = compute_metrics(frame)
    assert list(m.columns) == ["a", "b"]
    assert "sharpe" in m.index and np.isnan(_numbers(m)).all()


def test_a_strategy_with_no_record_in_range_has_no_risk_of_ruin():
    frame = pd.DataFrame(
        {"a": [0.01, -0.02, 0.01], "b": [np.nan] * 3}, index=pd.bdate_range("2024-01-02", periods=3)
    )
    m = compute_metrics(frame)
    assert np.isnan(m.at["risk_of_ruin", "b"]) and 0 < m.at["risk_of_ruin", "a"] < 1


def test_empty_input_gives_empty_series_and_tables():
    empty = pd.Series([], dtype=float, index=pd.DatetimeIndex([], tz="UTC"), name="s")
    assert drawdown_series(empty).empty
    assert drawdown_episodes(empty).empty and top_drawdowns(empty).empty
    stats = drawdown_stats(empty)
    assert stats.valley.isna().all() and np.isnan(stats.max_days).all()


def test_ragged_frame_matches_each_column_computed_alone():
    frame = ragged_frame()
    together = compute_metrics(frame)
    for col in frame:
        alone = compute_metrics(frame[col].dropna())[col]
        pd.testing.assert_series_equal(together[col], alone, check_names=False, rtol=1e-12)


def test_strategy_life_bounds_dates_and_counts():
    frame = ragged_frame()
    m = compute_metrics(frame)
    assert m.loc["start_date", "b"] == frame.index[200]
    assert m.loc["end_date", "c"] == frame.index[699]
    assert m.loc["observations", "a"] == len(frame) - 4
    assert m.loc["observations", "c"] == 700


def test_gaps_are_skipped_not_zero_filled():
    with_gap = series([0.01, np.nan, -0.02, 0.03])
    closed = series([0.01, -0.02, 0.03])
    a, b = compute_metrics(with_gap)["s"], compute_metrics(closed)["s"]
    for key in ("sharpe", "volatility", "total_return", "cagr", "win_days", "max_drawdown"):
        assert a[key] == pytest.approx(b[key]), key


@pytest.mark.parametrize(
    ("values", "message"),
    [([0.01, -1.5], "below −100%"), ([0.01, np.inf], "inf")],
)
def test_impossible_returns_are_refused(values, message):
    with pytest.raises(ValueError, match=message):
        compute_metrics(series(values))


def test_duplicate_dates_and_missing_index_are_refused():
    r = pd.Series([0.01, 0.02], index=pd.to_datetime(["2024-01-02", "2024-01-02"]))
    with pytest.raises(ValueError, match="duplicate"):
        compute_metrics(r)
    with pytest.raises(TypeError, match="DatetimeIndex"):
        compute_metrics(pd.Series([0.01, 0.02]))


def test_unsorted_dates_are_sorted():
    r = series([0.01, -0.02, 0.03])
    assert compute_metrics(r.iloc[::-1])["s"].equals(compute_metrics(r)["s"])


def test_series_name_becomes_the_column():
    r = series([0.01, 0.02]).rename(None)
    assert list(compute_metrics(r).columns) == ["returns"]


def test_timezone_aware_index():
    r = series([0.01, -0.02, 0.03] * 30)
    aware = r.tz_localize("America/New_York")
    a, b = compute_metrics(aware)["s"], compute_metrics(r)["s"]
    assert _numbers(a.to_frame()) == pytest.approx(_numbers(b.to_frame()), nan_ok=True)


def test_mtd_and_ytd_go_by_date_whatever_the_time_of_day() -> None:
    from data.metrics import compute_metrics

    returns = pd.Series(
        [0.02, 0.05], index=pd.DatetimeIndex(["2024-01-31 21:00", "2024-02-01 21:00"], tz="UTC")
    )
    at_midnight = returns.copy()
    at_midnight.index = at_midnight.index.normalize()
    for stamped in (returns, at_midnight):
        result = compute_metrics(stamped.rename("s"), keys=["mtd", "ytd"])["s"]
        assert result["mtd"] == pytest.approx(0.05)
        assert result["ytd"] == pytest.approx(1.02 * 1.05 - 1)


def test_a_benchmark_with_a_time_zone_unlike_the_returns_is_refused():
    r = series([0.01, -0.02, 0.03])
    aware = r.tz_localize("UTC")
    with pytest.raises(ValueError, match="both carry a time zone or both be naive"):
        compute_metrics(r, aware)
    assert np.isfinite(compute_metrics(aware, aware)["s"]["beta"])
