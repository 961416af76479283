"""Known answers derived by hand on short series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from data.metrics import compute_metrics, deannualise, drawdown_episodes
from tests.unit.metrics_fixtures import series

ROOT_P = np.sqrt(252)


@pytest.fixture(scope="module")
def five():
    """r = +10 %, −5 %, +2 %, −10 %, +5 % on 2–8 January 2024."""
    return compute_metrics(series([0.10, -0.05, 0.02, -0.10, 0.05]))["s"]


def test_five_day_returns(five):
    growth = 1.10 * 0.95 * 1.02 * 0.90 * 1.05  # = 1.0072755
    assert five["total_return"] == pytest.approx(0.0072755)
    assert five["cagr"] == pytest.approx(growth ** (252 / 5) - 1)
    assert five["expected_daily"] == pytest.approx(growth ** (1 / 5) - 1)
    assert five["avg_return"] == pytest.approx(0.004)
    assert five["observations"] == 5


def test_five_day_ratios(five):
    # mean 0.004; squared deviations sum to 0.02532; downside Σ min(r, 0)² / N = 0.0125 / 5
    assert five["sharpe"] == pytest.approx(0.004 / np.sqrt(0.02532 / 4) * ROOT_P)
    assert five["sortino"] == pytest.approx(0.004 / 0.05 * ROOT_P)
    assert five["adjusted_sortino"] == pytest.approx(0.004 / 0.05 * ROOT_P / np.sqrt(2))
    assert five["omega"] == pytest.approx(0.17 / 0.15)
    assert five["gain_to_pain"] == pytest.approx(0.02 / 0.15)
    assert five["volatility"] == pytest.approx(np.sqrt(0.02532 / 4) * ROOT_P)
    assert five["downside_deviation"] == pytest.approx(0.05 * ROOT_P)


def test_five_day_win_loss(five):
    assert five["win_days"] == pytest.approx(0.6)
    assert five["avg_win"] == pytest.approx(0.17 / 3)
    assert five["avg_loss"] == pytest.approx(-0.075)
    assert five["payoff_ratio"] == pytest.approx((0.17 / 3) / 0.075)
    assert five["profit_factor"] == pytest.approx(0.17 / 0.15)
    assert five["max_consecutive_wins"] == 1
    assert five["max_consecutive_losses"] == 1
    assert five["kelly_criterion"] == pytest.approx(0.6 - 0.4 / ((0.17 / 3) / 0.075))


def test_five_day_tails(five):
    # sorted: −.10 −.05 .02 .05 .10; q05 at position 0.2, q95 at 3.8
    assert five["value_at_risk"] == pytest.approx(-0.09)
    assert five["cvar"] == pytest.approx(-0.10)  # ⌊4 × 0.05⌋ + 1 = 1 lowest return
    assert five["tail_ratio"] == pytest.approx(0.09 / 0.09)
    assert five["best_day"] == pytest.approx(0.10)
    assert five["worst_day"] == pytest.approx(-0.10)


def test_five_day_drawdown(five):
    # equity 1.1, 1.045, 1.0659, 0.95931, 1.0072755; the peak stays 1.1
    assert five["max_drawdown"] == pytest.approx(0.95931 / 1.1 - 1)
    assert five["max_drawdown_start"] == pd.Timestamp("2024-01-03")
    assert five["max_drawdown_valley"] == pd.Timestamp("2024-01-05")
    assert five["max_drawdown_end"] == pd.Timestamp("2024-01-08")  # never recovered
    assert five["longest_drawdown_days"] == 6  # 3 → 8 January, calendar days inclusive
    assert five["calmar"] == pytest.approx(five["cagr"] / (1 - 0.95931 / 1.1))
    assert five["recovery_factor"] == pytest.approx(0.0072755 / (1 - 0.95931 / 1.1))


def test_five_day_pain_conditional_drawdown_and_serenity(five):
    # drawdowns 0, −5 %, −3.1 %, −12.79 %, −8.43 % (from the 1.1 peak)
    dd = np.array([1.1, 1.045, 1.0659, 0.95931, 1.0072755]) / 1.1 - 1
    ulcer = np.sqrt(np.mean(dd**2))
    assert five["ulcer_index"] == pytest.approx(ulcer)
    assert five["conditional_drawdown"] == pytest.approx(dd.min())  # ⌊4 × 0.05⌋ + 1 = 1 day
    sigma = np.std([0.10, -0.05, 0.02, -0.10, 0.05], ddof=1)
    pitfall = abs(dd.min()) / sigma
    assert five["serenity_index"] == pytest.approx(five["cagr"] / (ulcer * pitfall))


def test_risk_adjusted_return_divides_by_time_in_market():
    m = compute_metrics(series([0.10, 0.0, -0.05, 0.0, 0.02]))["s"]
    growth = 1.10 * 0.95 * 1.02
    assert m["time_in_market"] == pytest.approx(3 / 5)
    assert m["risk_adjusted_return"] == pytest.approx((growth ** (252 / 5) - 1) / (3 / 5))


def test_conditional_drawdown_averages_the_deepest_five_percent():
    rng = np.random.default_rng(3)
    r = rng.normal(0.0003, 0.01, 400)
    equity = np.cumprod(1 + r)
    dd = equity / np.maximum.accumulate(np.maximum(equity, 1.0)) - 1
    k = int(399 * 0.05) + 1  # 20 observations
    expected = np.sort(dd)[:k].mean()
    assert compute_metrics(series(list(r)))["s"]["conditional_drawdown"] == pytest.approx(expected)


def test_first_period_loss_is_a_drawdown():
    m = compute_metrics(series([-0.10, 0.05]))["s"]
    assert m["max_drawdown"] == pytest.approx(-0.10)
    assert m["max_drawdown_start"] == pd.Timestamp("2024-01-02")


def test_drawdown_episodes_with_recoveries():
    # equity 1.1, 0.99, 1.0395, 1.10187 (new peak), 1.0798326 (−2 %), 1.1122276 (new peak)
    r = series([0.10, -0.10, 0.05, 0.06, -0.02, 0.03])
    episodes = drawdown_episodes(r)
    assert list(episodes["depth"]) == pytest.approx([-0.10, -0.02])
    assert list(episodes["start"]) == list(pd.to_datetime(["2024-01-03", "2024-01-08"]))
    assert list(episodes["valley"]) == list(pd.to_datetime(["2024-01-03", "2024-01-08"]))
    assert list(episodes["end"]) == list(pd.to_datetime(["2024-01-04", "2024-01-08"]))
    assert list(episodes["recovery"]) == list(pd.to_datetime(["2024-01-05", "2024-01-09"]))
    assert list(episodes["days"]) == [2, 1]
    assert list(episodes["periods"]) == [2, 1]
    m = compute_metrics(r)["s"]
    assert m["avg_drawdown"] == pytest.approx(-0.06)
    assert m["avg_drawdown_days"] == pytest.approx(1.5)
    assert m["longest_drawdown_days"] == 2
    # Martin's Ulcer index: √(Σ dd² / N) with dd = 0, −.1, −.055, 0, −.02, 0
    assert m["ulcer_index"] == pytest.approx(np.sqrt((0.01 + 0.055**2 + 0.0004) / 6))


def test_cagr_uses_observations_over_periods_per_year():
    daily = 1.21 ** (1 / 504) - 1
    m = compute_metrics(series([daily] * 504))["s"]
    assert m["total_return"] == pytest.approx(0.21)
    assert m["cagr"] == pytest.approx(0.10)
    assert compute_metrics(series([daily] * 504), periods_per_year=504)["s"]["cagr"] == (
        pytest.approx(0.21)
    )


def test_risk_free_is_deannualised_geometrically():
    assert deannualise(0.05, 252) == pytest.approx(1.05 ** (1 / 252) - 1)
    r = series([0.01, 0.03])
    rf_p = 1.05 ** (1 / 252) - 1
    sharpe = compute_metrics(r, rf=0.05)["s"]["sharpe"]
    assert sharpe == pytest.approx((0.02 - rf_p) / np.sqrt(0.0002) * ROOT_P)


def test_calendar_periods():
    r = pd.Series(
        [0.10, -0.10, 0.05],
        index=pd.to_datetime(["2024-01-30", "2024-01-31", "2024-02-01"]),
        name="s",
    )
    m = compute_metrics(r)["s"]
    assert m["best_month"] == pytest.approx(0.05)
    assert m["worst_month"] == pytest.approx(1.1 * 0.9 - 1)
    assert m["win_month"] == pytest.approx(0.5)
    assert m["expected_monthly"] == pytest.approx(np.sqrt(0.99 * 1.05) - 1)
    assert m["mtd"] == pytest.approx(0.05)
    assert m["ytd"] == pytest.approx(0.99 * 1.05 - 1)
    assert m["best_year"] == pytest.approx(0.99 * 1.05 - 1)


def test_trailing_windows_end_at_each_strategys_last_observation():
    index = pd.bdate_range("2020-01-01", "2023-06-30")
    r = pd.DataFrame({"long": 0.001, "short": 0.001}, index=index)
    r.loc[r.index > "2022-12-30", "short"] = np.nan  # retired at the end of 2022
    m = compute_metrics(r)
    in_window = lambda lo, hi: len(pd.bdate_range(lo, hi)) - 1  # noqa: E731 (exclusive start)
    assert m.loc["one_year", "long"] == pytest.approx(
        1.001 ** in_window("2022-06-30", "2023-06-30") - 1
    )
    assert m.loc["one_year", "short"] == pytest.approx(
        1.001 ** in_window("2021-12-30", "2022-12-30") - 1
    )
    assert m.loc["ytd", "short"] == pytest.approx(
        1.001 ** len(pd.bdate_range("2022-01-01", "2022-12-30")) - 1
    )
    assert m.loc["three_year_ann", "long"] == pytest.approx(1.001**252 - 1)
    assert np.isnan(m.loc["five_year_ann", "long"])  # 3.5 years of history


def test_benchmark_metrics_for_a_leveraged_copy():
    rng = np.random.default_rng(0)
    b = series(list(rng.normal(0.0005, 0.01, 300)))
    r = (2 * b).rename("s")
    m = compute_metrics(r, b)["s"]
    assert m["beta"] == pytest.approx(2.0)
    assert m["correlation"] == pytest.approx(1.0)
    assert m["r_squared"] == pytest.approx(1.0)
    assert m["alpha"] == pytest.approx(0.0, abs=1e-12)
    assert m["tracking_error"] == pytest.approx(b.std() * ROOT_P)
    assert m["information_ratio"] == pytest.approx(b.mean() / b.std() * ROOT_P)


def test_constant_excess_return_has_alpha_compounded_over_p():
    rng = np.random.default_rng(1)
    b = series(list(rng.normal(0.0, 0.01, 300)))
    m = compute_metrics((b + 0.0002).rename("s"), b)["s"]
    assert m["beta"] == pytest.approx(1.0)
    assert m["alpha"] == pytest.approx(1.0002**252 - 1)


def test_probabilistic_sharpe_and_min_track_record_on_a_two_point_series():
    # ±σ around μ, n even: skew 0; bias-corrected excess kurtosis −2(n − 1)/(n − 3), so
    # (γ₄ − 1)/4 = −1/(n − 3); sample std σ·√(n/(n − 1))
    n, mu, sigma = 100, 0.001, 0.01
    r = series(list(mu + sigma * np.tile([-1.0, 1.0], n // 2)))
    sr = mu / (sigma * np.sqrt(n / (n - 1)))
    term = 1 - sr**2 / (n - 3)
    m = compute_metrics(r)["s"]
    assert m["skew"] == pytest.approx(0.0, abs=1e-9)
    assert m["kurtosis"] == pytest.approx(-2 * (n - 1) / (n - 3))
    assert m["probabilistic_sharpe"] == pytest.approx(norm.cdf(sr / np.sqrt(term / (n - 1))))
    assert m["min_track_record_length"] == pytest.approx(1 + term * (norm.ppf(0.95) / sr) ** 2)


def test_deflated_sharpe_against_expected_maximum_of_trials():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        rng.normal(0.0005, 0.01, (500, 4)), index=pd.bdate_range("2020-01-01", periods=500)
    )
    m = compute_metrics(frame, n_trials=4, trials_sharpe_std=0.5)
    v = (0.5 / ROOT_P) ** 2
    gamma = 0.5772156649015329
    sr0 = np.sqrt(v) * ((1 - gamma) * norm.ppf(1 - 1 / 4) + gamma * norm.ppf(1 - 1 / (4 * np.e)))
    for col in frame:
        sr, se = m.loc["sharpe", col] / ROOT_P, m.loc["sharpe_std_error", col] / ROOT_P
        assert m.loc["deflated_sharpe", col] == pytest.approx(norm.cdf((sr - sr0) / se))
    one = compute_metrics(frame, n_trials=1, trials_sharpe_std=0.5)
    assert list(one.loc["deflated_sharpe"]) == pytest.approx(list(one.loc["probabilistic_sharpe"]))


def test_deflated_sharpe_defaults_to_the_columns_as_trials():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        rng.normal(0.0005, 0.01, (500, 6)), index=pd.bdate_range("2020-01-01", periods=500)
    )
    default = compute_metrics(frame, n_trials=6)
    spread = float(np.std(default.loc["sharpe"].astype(float), ddof=1))
    explicit = compute_metrics(frame, n_trials=6, trials_sharpe_std=spread)
    assert list(default.loc["deflated_sharpe"]) == pytest.approx(
        list(explicit.loc["deflated_sharpe"])
    )
    assert "deflated_sharpe" not in compute_metrics(frame).index
