"""Drawdown series and episodes, rolling statistics and return tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.metrics import compute_metrics, drawdown_series, top_drawdowns
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


def test_an_episode_ends_on_its_last_observed_day_under_water():
    # Tue loss, Wed still under, Thu and Fri missing, Mon back above the peak
    r = series([0.01, -0.02, 0.005, np.nan, np.nan, 0.03, 0.01])
    (episode,) = top_drawdowns(r, 5).itertuples(index=False)
    days = r.index
    assert (episode.start, episode.end, episode.recovery) == (days[1], days[2], days[5])
    assert episode.periods == 2 and episode.days == 2
    m = compute_metrics(r)["s"]
    assert m["max_drawdown_end"] == days[2] and m["avg_drawdown_days"] == 2
    # the same as on the record without its missing rows (what QuantStats is given)
    (same,) = top_drawdowns(r.dropna(), 5).itertuples(index=False)
    assert (same.start, same.end, same.recovery, same.periods) == (
        episode.start, episode.end, episode.recovery, episode.periods,
    )  # fmt: skip


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


def test_rolling_windows_skip_missing_days_instead_of_going_blank(pair):
    # one missing day of the strategy and one of the benchmark: a window is the trailing
    # observed (for beta: paired) periods, as every full-period metric counts them
    r, b = pair
    gappy = r.copy()
    gappy.iloc[300] = np.nan
    bench = b.drop(b.index[500])
    window = 63
    vol = rolling_volatility(gappy, window)["strategy"]
    beta = rolling_beta(gappy, bench, window)["strategy"]
    assert np.isnan(vol.iloc[300]) and np.isnan(beta.iloc[500])
    observed = gappy.dropna()
    np.testing.assert_allclose(
        vol.dropna(), observed.rolling(window).std().dropna() * np.sqrt(252), rtol=1e-10
    )
    paired = pd.concat([gappy, bench], axis=1, join="inner").dropna()
    theirs = (
        paired.iloc[:, 0].rolling(window).cov(paired.iloc[:, 1])
        / paired.iloc[:, 1].rolling(window).var()
    )
    np.testing.assert_allclose(beta.dropna(), theirs.dropna(), rtol=1e-10)
    assert vol.notna().sum() == len(observed) - window + 1  # not blank for a window after a gap
    sharpe = rolling_sharpe(gappy, window)["strategy"]
    sortino = rolling_sortino(gappy, window)["strategy"]
    assert sharpe.notna().sum() == sortino.notna().sum() == vol.notna().sum()


def test_a_short_min_periods_never_carries_a_value_past_a_strategys_life():
    index = pd.bdate_range("2024-01-02", periods=40)
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"long": rng.normal(0, 0.01, 40), "short": rng.normal(0, 0.01, 40)}, index)
    frame.loc[index[25:], "short"] = np.nan  # ends early, with no gap inside its life
    bench = pd.Series(rng.normal(0, 0.01, 40), index)
    for rolled in (
        rolling_volatility(frame, 10, min_periods=3),
        rolling_sharpe(frame, 10, min_periods=3),
        rolling_beta(frame, bench, 10, min_periods=3),
    ):
        assert rolled["short"].iloc[25:].isna().all() and rolled["short"].iloc[2:25].notna().all()


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


def test_cumulative_returns_keep_the_strategys_days_the_benchmark_lacks(pair):
    r, b = pair
    gaps = b.copy()
    gaps.iloc[10:20] = np.nan  # e.g. a benchmark without weekend or holiday prints
    out = cumulative_returns(r, gaps)
    np.testing.assert_allclose(out["strategy"], (1 + r).cumprod() - 1, rtol=1e-10)
    flat = out["benchmark"].iloc[9:20]
    assert (flat == flat.iloc[0]).all()  # the benchmark stays flat where it has no return
    np.testing.assert_allclose(
        out["benchmark"].iloc[-1], (1 + gaps.fillna(0)).prod() - 1, rtol=1e-10
    )


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
