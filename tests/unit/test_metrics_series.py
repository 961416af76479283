"""Drawdown series and episodes, rolling statistics and return tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.metrics import drawdown_series, top_drawdowns
from data.metrics.rolling import rolling_beta, rolling_sharpe, rolling_sortino, rolling_volatility
from data.metrics.tables import (
    blended_benchmark,
    cumulative_returns,
    monthly_returns_table,
    return_quantiles,
    yearly_returns,
)
from tests.unit.metrics_fixtures import ragged_frame, seeded_pair, series

em = pytest.importorskip("empyrical")
qs = pytest.importorskip("quantstats")


@pytest.fixture(scope="module")
def pair():
    return seeded_pair(11)


def test_drawdown_series_reproduces_empyrical(pair):
    r, _ = pair
    np.testing.assert_allclose(
        drawdown_series(r)["strategy"], em.stats.drawdown_series(r), rtol=1e-12, atol=1e-14
    )


def test_drawdown_series_is_nan_outside_each_life():
    dd = drawdown_series(ragged_frame())
    assert dd["b"].iloc[:200].isna().all() and dd["b"].iloc[200:].notna().all()
    assert dd["c"].iloc[700:].isna().all()


def test_top_drawdowns_match_quantstats_episodes(pair):
    r, _ = pair
    ours = top_drawdowns(r, 5)
    theirs = qs.stats.drawdown_details(qs.stats.to_drawdown_series(r))
    theirs = theirs.sort_values("max drawdown", kind="stable").head(5)
    assert len(ours) == 5
    assert list(ours["depth"]) == pytest.approx(list(theirs["max drawdown"] / 100), rel=1e-9)
    assert list(ours["start"]) == list(pd.to_datetime(theirs["start"]))
    assert list(ours["valley"]) == list(pd.to_datetime(theirs["valley"]))
    assert list(ours["end"]) == list(pd.to_datetime(theirs["end"]))
    assert list(ours["days"]) == list(theirs["days"])
    assert (ours["depth"].diff().dropna() >= 0).all()  # deepest first


def test_recovery_is_the_day_after_the_episode_ends(pair):
    r, _ = pair
    episodes = top_drawdowns(r, 50)
    done = episodes.dropna(subset=["recovery"])
    positions = r.index.get_indexer(done["end"])
    assert list(done["recovery"]) == list(r.index[positions + 1])
    assert episodes["recovery"].isna().sum() <= 1  # only an episode still open at the end


@pytest.mark.parametrize("window", [21, 126])
def test_rolling_statistics_reproduce_empyrical(pair, window):
    r, b = pair
    ours_vol = rolling_volatility(r, window)["strategy"].dropna()
    ours_sharpe = rolling_sharpe(r, window)["strategy"].dropna()
    ours_sortino = rolling_sortino(r, window)["strategy"].dropna()
    ours_beta = rolling_beta(r, b, window)["strategy"].dropna()
    np.testing.assert_allclose(ours_vol, em.roll_annual_volatility(r, window), rtol=1e-8)
    np.testing.assert_allclose(ours_sharpe, em.roll_sharpe_ratio(r, window), rtol=1e-8)
    np.testing.assert_allclose(ours_sortino, em.roll_sortino_ratio(r, window), rtol=1e-8)
    np.testing.assert_allclose(ours_beta, em.roll_beta(r, b, window), rtol=1e-8)
    assert ours_vol.index[0] == r.index[window - 1]  # labelled at the window's end


def test_rolling_sharpe_honours_rf_and_is_nan_for_flat_windows():
    r = series([0.0] * 30 + [0.01, -0.01] * 20)
    out = rolling_sharpe(r, 10, rf=0.05)["s"]
    assert out.iloc[9:30].isna().all()
    window = r.iloc[-10:]
    expected = (window.mean() - (1.05 ** (1 / 252) - 1)) / window.std() * np.sqrt(252)
    assert out.iloc[-1] == pytest.approx(expected)


def test_monthly_table_reproduces_quantstats(pair):
    r, _ = pair
    ours = monthly_returns_table(r)
    theirs = qs.stats.monthly_returns(r)
    np.testing.assert_allclose(
        ours.iloc[:, :12].fillna(0), theirs.iloc[:, :12], rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(ours["year"], theirs["EOY"], rtol=1e-9)


def test_yearly_returns_compound_each_calendar_year():
    frame = ragged_frame()
    years = yearly_returns(frame)
    for col in frame:
        expected = (1 + frame[col]).groupby(frame.index.year).prod(min_count=1) - 1
        np.testing.assert_allclose(years[col], expected, rtol=1e-9)


def test_return_quantiles_by_period(pair):
    r, _ = pair
    table = return_quantiles(r, (0.05, 0.5, 0.95))
    assert list(table.index) == ["day", "week", "month", "quarter", "year"]
    assert list(table.loc["day"]) == pytest.approx(list(np.quantile(r, [0.05, 0.5, 0.95])))
    months = qs.utils.aggregate_returns(r, "ME")
    assert list(table.loc["month"]) == pytest.approx(list(np.quantile(months, [0.05, 0.5, 0.95])))
    assert table.loc["year", 0.95] >= table.loc["year", 0.05]


def test_cumulative_returns_and_the_volatility_matched_benchmark(pair):
    r, b = pair
    out = cumulative_returns(r, b)
    np.testing.assert_allclose(out["strategy"], (1 + r).cumprod() - 1, rtol=1e-10)
    np.testing.assert_allclose(out["benchmark"], (1 + b).cumprod() - 1, rtol=1e-10)
    matched = (
        (1 + out["benchmark_vol_matched"]).pct_change().fillna(out["benchmark_vol_matched"].iloc[0])
    )
    assert matched.std() == pytest.approx(r.std(), rel=1e-9)


def test_blend_rebalanced_daily_and_monthly():
    index = pd.to_datetime(["2024-01-30", "2024-01-31", "2024-02-01"])
    legs = pd.DataFrame({"a": [0.10, 0.10, 0.10], "b": [0.0, 0.0, 0.0]}, index=index)
    daily = blended_benchmark(legs, {"a": 0.5, "b": 0.5})
    assert list(daily) == pytest.approx([0.05, 0.05, 0.05])
    monthly = blended_benchmark(legs, {"a": 0.5, "b": 0.5}, rebalance="ME")
    # January drifts: values 1.05 then 1.105; February starts again from the target weights
    assert list(monthly) == pytest.approx([0.05, 1.105 / 1.05 - 1, 0.05])


def test_blend_refuses_bad_weights_and_marks_missing_rows():
    legs = pd.DataFrame(
        {"a": [0.01, np.nan], "b": [0.02, 0.0]}, index=pd.bdate_range("2024-01-02", periods=2)
    )
    with pytest.raises(ValueError, match="sum to 1"):
        blended_benchmark(legs, {"a": 0.5, "b": 0.6})
    with pytest.raises(ValueError, match="no returns"):
        blended_benchmark(legs, {"a": 0.5, "z": 0.5})
    out = blended_benchmark(legs, {"a": 0.25, "b": 0.75})
    assert out.iloc[0] == pytest.approx(0.0175) and np.isnan(out.iloc[1])
