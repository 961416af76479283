"""compare(): the tests' arithmetic, the bootstrap, the drift detector and the verdict rules."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from data.comparison import MIN_OBS, compare
from data.comparison import analysis as comparison
from data.comparison import significance as sig
from data.comparison.bootstrap import default_block_length, stationary_indices
from data.comparison.drift import cusum_threshold, false_alarm_rate
from data.metrics.robustness import probabilistic_sharpe

rng0 = np.random.default_rng(99)
LIVE = rng0.normal(0.0004, 0.01, 300)
REF = rng0.normal(0.0004, 0.01, 1500)


def _history(n_back: int = 1500, n_live: int = 250, seed: int = 1, rho: float = 0.95):
    """Backtest over n_back days whose last n_live days overlap a correlated live record."""
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2018-01-01", periods=n_back)
    bt = pd.Series(rng.normal(0.0004, 0.01, n_back), index)
    noise = rng.normal(0.0, 0.01, n_live)
    tail = bt.iloc[-n_live:]
    live = 0.0004 + rho * (tail - 0.0004) + np.sqrt(1 - rho**2) * noise
    return live.rename("live"), bt.rename("backtest")


def test_welch_mann_whitney_ks_are_scipys_with_effect_sizes_by_hand():
    w, u, k = sig.welch_t(LIVE, REF), sig.mann_whitney(LIVE, REF), sig.kolmogorov_smirnov(LIVE, REF)
    assert w.p_value == pytest.approx(stats.ttest_ind(LIVE, REF, equal_var=False).pvalue)
    d = (LIVE.mean() - REF.mean()) / np.sqrt((LIVE.var(ddof=1) + REF.var(ddof=1)) / 2)
    assert w.effect_size == pytest.approx(d)
    assert u.p_value == pytest.approx(stats.mannwhitneyu(LIVE, REF, method="asymptotic").pvalue)
    assert k.statistic == pytest.approx(stats.ks_2samp(LIVE, REF).statistic)
    separated = sig.mann_whitney(np.arange(10.0) + 100, np.arange(20.0))
    assert separated.effect_size == pytest.approx(1.0)  # every live value beats every reference


def test_jobson_korkie_memmel_statistic_by_hand():
    live, bt = _history()
    a, b = live.to_numpy(), bt.iloc[-250:].to_numpy()
    s1, s2, rho, t = (
        a.mean() / a.std(ddof=1),
        b.mean() / b.std(ddof=1),
        np.corrcoef(a, b)[0, 1],
        250,
    )
    theta = (2 - 2 * rho + 0.5 * (s1**2 + s2**2 - 2 * s1 * s2 * rho**2)) / t
    out = sig.sharpe_difference_paired(a, b)
    assert out.statistic == pytest.approx((s1 - s2) / np.sqrt(theta))
    assert out.p_value == pytest.approx(2 * stats.norm.sf(abs((s1 - s2) / np.sqrt(theta))))
    assert out.effect_size == pytest.approx((s1 - s2) * np.sqrt(252))


def test_psr_test_agrees_with_the_metrics_probabilistic_sharpe():
    target = REF.mean() / REF.std(ddof=1)
    live = pd.Series(LIVE, index=pd.bdate_range("2024-01-01", periods=len(LIVE)))
    expected = probabilistic_sharpe(live, benchmark_sharpe=target * np.sqrt(252))[0]
    assert sig.psr_test(LIVE, REF).p_value == pytest.approx(expected, rel=1e-9)


def test_holm_adjustment_by_hand():
    adjusted = sig.holm(np.array([0.01, 0.04, 0.03, 0.005, np.nan]))
    assert adjusted[:4] == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert np.isnan(adjusted[4])


def test_consistent_record_and_the_comparison_shape():
    live, bt = _history(seed=4)
    result = compare(live, bt)
    assert (result.n_live, result.n_reference, result.n_overlap) == (250, 1250, 250)
    assert [t.name for t in result.tests] == list(comparison.FAMILY)
    assert result.correlation == pytest.approx(np.corrcoef(live, bt.iloc[-250:])[0, 1])
    assert result.tracking_error == pytest.approx((live - bt.iloc[-250:]).std() * np.sqrt(252))
    assert result.drift_alarm is None
    for ci in result.bootstrap:
        assert ci.low <= ci.estimate <= ci.high and ci.level == 0.95
    assert result.verdict in ("consistent", "watch")


def test_a_live_record_that_bleeds_is_diverging_and_the_drift_is_dated():
    live, bt = _history(seed=5)
    change = live.index[150]
    live = live.where(live.index < change, live - 0.004)  # 40 bp a day worse from day 150
    result = compare(live, bt)
    assert result.verdict == "diverging"
    assert any(r.startswith("drift:") for r in result.reasons)
    assert any(r.startswith("sharpe_difference") for r in result.reasons)
    assert result.drift_alarm > change
    assert abs(len(pd.bdate_range(change, result.drift_start)) - 1) <= 10


def test_without_overlap_the_sharpe_test_is_for_independent_samples():
    live, bt = _history()
    result = compare(live, bt.iloc[:-250])
    assert result.n_overlap == 0 and np.isnan(result.tracking_error)
    note = next(t.note for t in result.tests if t.name == "sharpe_difference")
    assert "independent" in note


def test_too_little_live_data_is_watch_not_a_verdict_on_noise():
    live, bt = _history()
    result = compare(live.iloc[: MIN_OBS - 1], bt)
    assert result.verdict == "watch" and result.tests == ()
    assert any("live observations" in r for r in result.reasons)


def test_no_test_run_is_watch_not_consistent():
    live, bt = _history()
    short = compare(live, bt.iloc[: MIN_OBS - 1])  # a backtest too short to test against
    assert short.verdict == "watch" and short.tests == ()
    assert "backtest observations" in short.reasons[0]
    flat = compare(live, pd.Series(0.001, index=bt.index))  # a backtest with no spread
    assert flat.verdict == "watch" and "constant" in flat.reasons[0]


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0, -0.5, float("nan")])
def test_alpha_outside_its_range_is_a_clear_error(alpha):
    live, bt = _history()
    with pytest.raises(ValueError, match=r"alpha must be between 0 and 0\.5"):
        compare(live, bt, alpha=alpha)


def test_to_dict_is_plain_json():
    live, bt = _history(seed=5)
    live = live.where(live.index < live.index[150], live - 0.004)
    result = compare(live, bt, n_boot=200)
    payload = result.to_dict()
    text = json.dumps(payload, allow_nan=False)
    assert json.loads(text)["verdict"] == "diverging"
    assert pd.Timestamp(payload["drift_start"]) == result.drift_start
    assert isinstance(payload["tests"][0]["reject"], bool)


def test_bootstrap_is_seeded():
    live, bt = _history(seed=6)
    a, b, c = compare(live, bt, rng=1), compare(live, bt, rng=1), compare(live, bt, rng=2)
    assert a.bootstrap == b.bootstrap and a.bootstrap != c.bootstrap


def test_verdict_rules():
    def test(name, p):
        return comparison.TestResult(name, 0.0, p, 0.0, p < 0.05, "")

    wide = [comparison.BootstrapCI("mean", 0.0, 1.0, -1.0, 1.0, 0.95)]
    narrow = [comparison.BootstrapCI("mean", 2.0, 0.5, 1.0, 3.0, 0.95)]
    calm = [test("a", 0.5), test("b", 0.2)]
    assert comparison.verdict(calm, wide, None, None, 100)[0] == "consistent"
    assert (
        comparison.verdict([test("a", 0.04), test("b", 0.5)], wide, None, None, 100)[0] == "watch"
    )
    assert comparison.verdict(calm, narrow, None, None, 100)[0] == "watch"
    assert (
        comparison.verdict([test("a", 0.001), test("b", 0.5)], wide, None, None, 100)[0]
        == "diverging"
    )
    day = pd.Timestamp("2024-03-01")
    assert comparison.verdict(calm, wide, day, day, 100)[0] == "diverging"
    assert comparison.verdict(calm, wide, None, None, MIN_OBS - 1)[0] == "watch"
    # Holm: 0.03 alone rejects; 0.03 and 0.04 together need 0.025 for the smaller one
    assert (
        comparison.verdict([test("a", 0.03), test("b", 0.04)], wide, None, None, 100)[0] == "watch"
    )


def test_stationary_bootstrap_indices():
    rng = np.random.default_rng(0)
    one_block = stationary_indices(50, 20, 1e9, rng)
    assert ((np.diff(one_block, axis=1) % 50) == 1).all()  # a single circular run per resample
    idx = stationary_indices(1000, 200, 5.0, rng)
    assert idx.min() >= 0 and idx.max() < 1000
    starts = (np.diff(idx, axis=1) % 1000) != 1
    assert 1 / starts.mean() == pytest.approx(5.0, rel=0.05)  # mean block length


def test_block_length_grows_with_autocorrelation():
    rng = np.random.default_rng(1)
    assert default_block_length(rng.normal(size=1000)) == 1.0
    e = rng.normal(size=2000)
    x = np.zeros_like(e)
    for t in range(1, len(e)):
        x[t] = 0.6 * x[t - 1] + e[t]
    assert default_block_length(x) > 3.0


def test_cusum_threshold_targets_the_false_alarm_rate():
    for n in (20, 252, 1000):
        assert false_alarm_rate(cusum_threshold(n), n) == pytest.approx(0.05, abs=1e-3)
    assert cusum_threshold(1000) > cusum_threshold(252) > cusum_threshold(20)


def test_compare_calls_a_flat_live_record_diverging() -> None:
    days = pd.bdate_range("2022-01-03", periods=800)
    backtest = pd.Series(np.random.default_rng(4).normal(0.0005, 0.01, 800), index=days)
    live = pd.Series(0.0, index=days[-60:])
    result = compare(live, backtest)
    assert result.verdict == "diverging"
    assert "constant" in result.reasons[0]


def test_compare_pairs_aware_and_naive_dates() -> None:
    days = pd.bdate_range("2022-01-03", periods=400)
    backtest = pd.Series(np.random.default_rng(5).normal(0.0005, 0.01, 400), index=days)
    live = backtest.iloc[-60:] + np.random.default_rng(6).normal(0, 0.001, 60)
    live.index = live.index.tz_localize("UTC")
    assert compare(live, backtest).n_overlap == 60
