"""Validation checks: calendar gaps, duplicates, outliers, stale prices and strategy limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data import checks
from tests.unit.metrics_fixtures import series

# NYSE was closed on Juneteenth (Wed 19 June 2024) and Independence Day (Thu 4 July 2024)
SUMMER_2024 = pd.bdate_range("2024-06-03", "2024-07-31").drop(
    pd.to_datetime(["2024-06-19", "2024-07-04"])
)


def _returns(mean: float, n: int = 756, seed: int = 0, sd: float = 0.01) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(rng.normal(mean, sd, n), index=pd.bdate_range("2020-01-01", periods=n))


def test_complete_nyse_sessions_pass():
    result = checks.check_calendar_gaps(SUMMER_2024)
    assert result.passed and result.value == 0


def test_missing_sessions_and_non_sessions_are_named():
    index = SUMMER_2024.drop(pd.Timestamp("2024-06-20")).append(
        pd.to_datetime(["2024-06-22", "2024-07-04"])
    )
    result = checks.check_calendar_gaps(index.sort_values())
    assert not result.passed and result.value == 1
    assert "missing 2024-06-20" in result.details
    assert "not a XNYS session: 2024-06-22" in result.details
    assert "not a XNYS session: 2024-07-04" in result.details


def test_calendar_check_accepts_timestamps_with_time_and_zone():
    stamps = (SUMMER_2024 + pd.Timedelta(hours=20)).tz_localize("UTC")
    assert checks.check_calendar_gaps(stamps).passed


def test_duplicates():
    index = pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-03"])
    result = checks.check_duplicates(index)
    assert not result.passed and result.value == 1
    assert checks.check_duplicates(SUMMER_2024).passed


def test_outliers_by_robust_z_score():
    r = _returns(0.0, 500)
    assert checks.check_outliers(r).passed
    r.iloc[100] = 0.30  # 30 standard deviations
    result = checks.check_outliers(r)
    assert not result.passed and result.value == 1
    assert str(r.index[100]) in result.details[0]


def test_stale_prices():
    prices = pd.Series([10.0, 10.1, 10.1, 10.1, 10.1, 10.1, 10.1, 10.2])
    result = checks.check_stale_prices(prices, max_run=5)
    assert not result.passed and result.value == 6
    assert checks.check_stale_prices(prices, max_run=7).passed


def test_history_needs_the_minimum_track_record_length():
    strong, weak = _returns(0.002), _returns(0.0002)
    assert checks.check_history(strong).passed
    result = checks.check_history(weak)
    assert not result.passed and result.threshold > result.value
    assert not checks.check_history(_returns(-0.001)).passed  # no edge: MinTRL undefined


def test_probabilistic_and_deflated_sharpe_thresholds():
    strong = _returns(0.002)
    assert checks.check_probabilistic_sharpe(strong).passed
    assert not checks.check_probabilistic_sharpe(_returns(0.0)).passed
    modest = _returns(0.0009, seed=3)
    psr = checks.check_probabilistic_sharpe(modest).value
    dsr = checks.check_deflated_sharpe(modest, n_trials=200, trials_sharpe_std=1.0).value
    assert dsr < psr  # more trials, a higher bar


def test_drawdown_and_volatility_limits():
    r = series([0.05, -0.30, 0.10])
    result = checks.check_drawdown_limit(r, limit=0.25)
    assert not result.passed and result.value == pytest.approx(0.30)
    assert checks.check_drawdown_limit(r, limit=0.35).passed
    calm = _returns(0.0, sd=0.01)
    assert checks.check_volatility_limit(calm, limit=0.20).passed
    assert not checks.check_volatility_limit(calm, limit=0.10).passed


def test_in_sample_vs_out_of_sample_degradation():
    in_sample = _returns(0.001, 1260, seed=1)
    similar = _returns(0.001, 504, seed=2)
    broken = _returns(-0.0005, 504, seed=2)
    ok = checks.check_degradation(in_sample, similar)
    bad = checks.check_degradation(in_sample, broken)
    assert ok.passed and ok.value > 0.5
    assert not bad.passed and bad.value < 0


def test_checks_refuse_several_strategies():
    frame = pd.DataFrame(
        {"a": [0.01, 0.02], "b": [0.0, 0.01]}, index=pd.bdate_range("2024-01-02", periods=2)
    )
    with pytest.raises(ValueError, match="one strategy"):
        checks.check_drawdown_limit(frame)


def test_calendar_gaps_keep_local_dates_of_evening_timestamps() -> None:
    from data.checks import check_calendar_gaps

    days = pd.bdate_range("2024-01-02", "2024-01-08").tz_localize(
        "America/New_York"
    ) + pd.Timedelta(hours=20)
    assert check_calendar_gaps(days).passed


def test_degradation_passes_a_strategy_that_improved_out_of_sample() -> None:
    from data.checks import check_degradation

    rng = np.random.default_rng(9)
    days = pd.bdate_range("2020-01-02", periods=750)
    in_sample = pd.Series(rng.normal(-0.0003, 0.01, 500), index=days[:500])
    out_of_sample = pd.Series(rng.normal(0.0008, 0.01, 250), index=days[500:])
    assert check_degradation(in_sample, out_of_sample).passed
