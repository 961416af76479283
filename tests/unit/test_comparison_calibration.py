"""Calibration (size under the null) and power of every backtest-vs-live test, seeded.

Each null rejection rate at alpha = 0.05 must lie in [3 %, 7 %]; each power figure is
asserted at the effect size stated next to it (docs/metrics.md lists the measured values).
Daily returns: mean 4 bp, volatility 1 % (annualised Sharpe ≈ 0.64).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.comparison import analysis as comparison
from data.comparison import significance as sig
from data.comparison.bootstrap import bootstrap_intervals
from data.comparison.drift import cusum

ALPHA, MU, SIGMA = 0.05, 0.0004, 0.01
N_LIVE, N_REF, SIMS = 126, 1260, 2000
SIZE = (0.03, 0.07)
DISTRIBUTION_TESTS = {
    "welch_t": sig.welch_t,
    "mann_whitney": sig.mann_whitney,
    "kolmogorov_smirnov": sig.kolmogorov_smirnov,
    "sharpe_difference": sig.sharpe_difference_independent,
    "probabilistic_sharpe": sig.psr_test,
}


def rate(p_values: np.ndarray) -> float:
    """Share of simulations that reject at ALPHA."""
    return float(np.mean(np.asarray(p_values) < ALPHA))


def draws(rng, n: int, sims: int, tails: str = "normal") -> np.ndarray:
    """(n, sims) iid returns with mean MU and std SIGMA, normal or Student-t(5)."""
    if tails == "normal":
        return MU + SIGMA * rng.standard_normal((n, sims))
    return MU + SIGMA * rng.standard_t(5, (n, sims)) / np.sqrt(5 / 3)


def paired(rng, n: int, sims: int, rho: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Live and backtest on the same dates: same marginal law, correlation rho."""
    bt = rng.standard_normal((n, sims))
    live = rho * bt + np.sqrt(1 - rho**2) * rng.standard_normal((n, sims))
    return MU + SIGMA * live, MU + SIGMA * bt


@pytest.fixture(scope="module", params=["normal", "student-t5"])
def null_samples(request):
    rng = np.random.default_rng(20240601)
    return draws(rng, N_LIVE, SIMS, request.param), draws(rng, N_REF, SIMS, request.param)


@pytest.mark.parametrize("name", list(DISTRIBUTION_TESTS))
def test_distribution_tests_hold_their_size(null_samples, name):
    live, ref = null_samples
    assert SIZE[0] <= rate(DISTRIBUTION_TESTS[name](live, ref).p_value) <= SIZE[1]


# (test, how live differs, required power): live 126 days against 1,260 backtest days
POWER = [
    ("welch_t", "mean + 0.3σ per day", 0.80),
    ("mann_whitney", "mean + 0.3σ per day", 0.80),
    ("kolmogorov_smirnov", "volatility × 1.6", 0.80),
]


@pytest.mark.parametrize(("name", "change", "required"), POWER)
def test_distribution_tests_have_power_at_the_stated_effect(name, change, required):
    rng = np.random.default_rng(7)
    live, ref = draws(rng, N_LIVE, SIMS), draws(rng, N_REF, SIMS)
    live = live + 0.3 * SIGMA if change.startswith("mean") else MU + (live - MU) * 1.6
    assert rate(DISTRIBUTION_TESTS[name](live, ref).p_value) >= required


def test_sharpe_tests_have_power_over_two_years_of_live_returns():
    # a drop of 0.12 in daily Sharpe (≈ 1.9 annualised) over 504 live days
    rng = np.random.default_rng(8)
    live, ref = draws(rng, 504, SIMS) - 0.12 * SIGMA, draws(rng, N_REF, SIMS)
    assert rate(sig.psr_test(live, ref).p_value) >= 0.75  # measured 0.81
    assert rate(sig.sharpe_difference_independent(live, ref).p_value) >= 0.55  # measured 0.61


def test_jobson_korkie_memmel_size_and_power_on_paired_dates():
    rng = np.random.default_rng(9)
    live, bt = paired(rng, 252, SIMS)
    assert SIZE[0] <= rate(sig.sharpe_difference_paired(live, bt).p_value) <= SIZE[1]
    # live 0.1σ a day worse on the same dates: daily Sharpe −0.1 (≈ −1.6 annualised)
    assert rate(sig.sharpe_difference_paired(live - 0.1 * SIGMA, bt).p_value) >= 0.90


def _interval_rejections(live: np.ndarray, ref: np.ndarray, seed: int) -> np.ndarray:
    """Share of simulations whose interval excludes 0, for mean, volatility and Sharpe."""
    rng = np.random.default_rng(seed)
    rejected = []
    for lo in range(0, live.shape[1], 100):
        iv = bootstrap_intervals(live[:, lo : lo + 100], ref[:, lo : lo + 100], rng, n_boot=499)
        rejected.append((iv.low > 0) | (iv.high < 0))
    return np.concatenate(rejected, axis=1).mean(axis=1)


def test_bootstrap_intervals_hold_their_size():
    rng = np.random.default_rng(10)
    live, ref = draws(rng, N_LIVE, 1000), draws(rng, 252, 1000)
    for name, share in zip(
        ("mean", "volatility", "sharpe"), _interval_rejections(live, ref, 1), strict=True
    ):
        assert SIZE[0] <= share <= SIZE[1], name


def test_bootstrap_intervals_have_power():
    rng = np.random.default_rng(11)
    ref = draws(rng, 252, 500)
    shifted = draws(rng, N_LIVE, 500) + 0.35 * SIGMA  # mean and Sharpe differ by 0.35σ a day
    scaled = MU + (draws(rng, N_LIVE, 500) - MU) * 1.4  # volatility × 1.4
    mean, _, sharpe = _interval_rejections(shifted, ref, 2)
    _, vol, _ = _interval_rejections(scaled, ref, 3)
    assert mean >= 0.80 and sharpe >= 0.80 and vol >= 0.90


@pytest.mark.parametrize("n", [63, 252, 504])
def test_drift_detector_false_alarm_rate_over_the_window(n):
    rng = np.random.default_rng(n)
    d = rng.standard_normal((n, SIMS))
    result = cusum(d / d.std(axis=0, ddof=1), ALPHA)
    assert SIZE[0] <= float(np.mean(result.alarm >= 0)) <= SIZE[1]


def test_drift_detector_finds_a_half_sigma_shift_and_dates_it():
    rng = np.random.default_rng(12)
    d = rng.standard_normal((252, SIMS))
    d[126:] += 0.5  # tracking difference shifts by half its std on day 126
    result = cusum(d / d.std(axis=0, ddof=1), ALPHA)
    found = result.alarm >= 126
    assert found.mean() >= 0.90
    assert abs(np.median(result.onset[found] - 126)) <= 3
    assert np.median(result.alarm[found] - 126) <= 60


def verdict_counts(live, bt, ref, seed: int) -> dict[str, int]:
    """Verdicts of simulated records (columns) from vectorised tests, intervals and drift."""
    outcomes = {name: test(live, ref) for name, test in DISTRIBUTION_TESTS.items()}
    outcomes["sharpe_difference"] = sig.sharpe_difference_paired(live, bt)
    iv = bootstrap_intervals(live, ref, np.random.default_rng(seed), n_boot=199)
    z = (live - bt) / (live - bt).std(axis=0, ddof=1)
    strict, loose = cusum(z, ALPHA / 2).alarm, cusum(z, ALPHA).alarm  # as compare() runs them
    day = pd.Timestamp("2024-06-28")
    counts = {"consistent": 0, "watch": 0, "diverging": 0}
    for s in range(live.shape[1]):
        tests = [
            comparison.TestResult(k, 0.0, float(o.p_value[s]), 0.0, bool(o.p_value[s] < ALPHA), "")
            for k, o in outcomes.items()
        ]
        boots = [
            comparison.BootstrapCI(k, 0.0, 0.0, float(iv.low[i, s]), float(iv.high[i, s]), 0.95)
            for i, k in enumerate(("mean", "volatility", "sharpe"))
        ]
        alarm = day if strict[s] >= 0 else None
        early = day if loose[s] >= 0 and alarm is None else None
        counts[comparison.verdict(tests, boots, alarm, alarm, live.shape[0], ALPHA, early)[0]] += 1
    return counts


def test_verdict_false_alarm_rates_under_the_null():
    rng = np.random.default_rng(13)
    live, bt = paired(rng, 252, 1000)  # live tracks a backtest re-run on the same dates
    ref = draws(rng, N_REF, 1000)  # and the backtest's earlier history
    counts = verdict_counts(live, bt, ref, seed=14)
    assert counts["diverging"] / 1000 <= 0.07  # Holm at 2.5 % or a drift alarm at 2.5 %
    assert counts["consistent"] / 1000 >= 0.70


def test_verdict_calls_a_bleeding_record_diverging():
    # live loses 0.1σ a day against the backtest on the same dates (≈ 1.6 annualised Sharpe)
    rng = np.random.default_rng(15)
    live, bt = paired(rng, 252, 500)
    counts = verdict_counts(live - 0.1 * SIGMA, bt, draws(rng, N_REF, 500), seed=16)
    assert counts["diverging"] / 500 >= 0.75  # measured 0.82
    assert counts["consistent"] / 500 <= 0.05
