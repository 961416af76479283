"""compute_metrics against QuantStats 0.0.86 and empyrical-reloaded 0.7.1, conventions pinned."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from data.metrics import compute_metrics, deannualise
from tests.unit.metrics_fixtures import RF, SEEDS, seeded_pair

em = pytest.importorskip("empyrical")
qs = pytest.importorskip("quantstats")
S = qs.stats
RF_P = deannualise(RF, 252)
TIGHT = {"rel": 1e-9, "abs": 1e-13}


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def case(request):
    """(our metrics column, strategy, benchmark) for one seeded pair."""
    r, b = seeded_pair(request.param)
    m = compute_metrics(r, b, rf=RF)["strategy"]
    return m, r, b


# (metric key, reference) — each reference reproduces the convention the registry cites
QS_SAME = [
    ("total_return", lambda r, b: S.comp(r)),
    ("cagr", lambda r, b: S.cagr(r, periods=252)),
    ("expected_daily", lambda r, b: S.expected_return(r)),
    ("expected_monthly", lambda r, b: S.expected_return(r, aggregate="ME")),
    ("expected_yearly", lambda r, b: S.expected_return(r, aggregate="YE")),
    ("avg_return", lambda r, b: S.avg_return(r)),
    ("sharpe", lambda r, b: S.sharpe(r, rf=RF, periods=252)),
    ("smart_sharpe", lambda r, b: S.smart_sharpe(r, rf=RF, periods=252)),
    ("sortino", lambda r, b: S.sortino(r, rf=RF, periods=252)),
    ("smart_sortino", lambda r, b: S.smart_sortino(r, rf=RF, periods=252)),
    ("adjusted_sortino", lambda r, b: S.adjusted_sortino(r, rf=RF, periods=252)),
    ("smart_adjusted_sortino", lambda r, b: S.adjusted_sortino(r, rf=RF, smart=True)),
    ("omega", lambda r, b: S.omega(r, rf=RF, periods=252)),
    ("calmar", lambda r, b: S.calmar(r, periods=252)),
    ("risk_return_ratio", lambda r, b: S.risk_return_ratio(r)),
    ("gain_to_pain", lambda r, b: S.gain_to_pain_ratio(r)),
    ("volatility", lambda r, b: S.volatility(r, periods=252)),
    ("parametric_var", lambda r, b: S.value_at_risk(r)),
    ("parametric_cvar", lambda r, b: S.cvar(r)),
    ("max_drawdown", lambda r, b: S.max_drawdown(r)),
    ("skew", lambda r, b: S.skew(r)),
    ("kurtosis", lambda r, b: S.kurtosis(r)),
    ("tail_ratio", lambda r, b: S.tail_ratio(r)),
    ("outlier_win_ratio", lambda r, b: S.outlier_win_ratio(r)),
    ("outlier_loss_ratio", lambda r, b: S.outlier_loss_ratio(r)),
    ("win_days", lambda r, b: S.win_rate(r)),
    ("avg_win", lambda r, b: S.avg_win(r)),
    ("avg_loss", lambda r, b: S.avg_loss(r)),
    ("payoff_ratio", lambda r, b: S.payoff_ratio(r)),
    ("payoff_ratio", lambda r, b: S.win_loss_ratio(r)),
    ("profit_ratio", lambda r, b: S.profit_ratio(r)),
    ("profit_factor", lambda r, b: S.profit_factor(r)),
    ("common_sense_ratio", lambda r, b: S.common_sense_ratio(r)),
    ("cpc_index", lambda r, b: S.cpc_index(r)),
    ("kelly_criterion", lambda r, b: S.kelly_criterion(r)),
    ("risk_of_ruin", lambda r, b: S.risk_of_ruin(r)),
    ("max_consecutive_wins", lambda r, b: S.consecutive_wins(r)),
    ("max_consecutive_losses", lambda r, b: S.consecutive_losses(r)),
    ("best_day", lambda r, b: S.best(r)),
    ("worst_day", lambda r, b: S.worst(r)),
    ("best_month", lambda r, b: S.best(r, aggregate="ME")),
    ("worst_month", lambda r, b: S.worst(r, aggregate="ME")),
    ("best_quarter", lambda r, b: S.best(r, aggregate="QE")),
    ("worst_quarter", lambda r, b: S.worst(r, aggregate="QE")),
    ("best_year", lambda r, b: S.best(r, aggregate="YE")),
    ("worst_year", lambda r, b: S.worst(r, aggregate="YE")),
    ("win_month", lambda r, b: S.win_rate(r, aggregate="ME")),
    ("win_quarter", lambda r, b: S.win_rate(r, aggregate="QE")),
    ("win_year", lambda r, b: S.win_rate(r, aggregate="YE")),
    ("avg_up_month", lambda r, b: S.avg_win(r, aggregate="ME")),
    ("avg_down_month", lambda r, b: S.avg_loss(r, aggregate="ME")),
    ("all_time_ann", lambda r, b: S.cagr(r, periods=252)),
    ("probabilistic_sharpe", lambda r, b: S.probabilistic_sharpe_ratio(r, rf=RF, periods=252)),
    ("beta", lambda r, b: S.greeks(r, b)["beta"]),
    ("correlation", lambda r, b: r.corr(b)),
    ("r_squared", lambda r, b: S.r_squared(r, b)),
]

EM_SAME = [
    ("total_return", lambda r, b: em.cum_returns_final(r)),
    ("cagr", lambda r, b: em.annual_return(r)),
    ("volatility", lambda r, b: em.annual_volatility(r)),
    ("sharpe", lambda r, b: em.sharpe_ratio(r, risk_free=RF_P)),
    ("sortino", lambda r, b: em.sortino_ratio(r, required_return=RF_P)),
    ("downside_deviation", lambda r, b: em.downside_risk(r, required_return=RF_P)),
    ("omega", lambda r, b: em.omega_ratio(r, risk_free=RF_P)),
    ("calmar", lambda r, b: em.calmar_ratio(r)),
    ("max_drawdown", lambda r, b: em.max_drawdown(r)),
    ("tail_ratio", lambda r, b: em.tail_ratio(r)),
    ("value_at_risk", lambda r, b: em.value_at_risk(r)),
    ("cvar", lambda r, b: em.conditional_value_at_risk(r)),
    ("stability", lambda r, b: em.stability_of_timeseries(r)),
    ("alpha", lambda r, b: em.alpha(r, b, risk_free=RF_P)),
    ("beta", lambda r, b: em.beta(r, b)),
    ("up_capture", lambda r, b: em.up_capture(r, b)),
    ("down_capture", lambda r, b: em.down_capture(r, b)),
]


@pytest.mark.parametrize(("key", "reference"), QS_SAME, ids=[k for k, _ in QS_SAME])
def test_metrics_reproduce_quantstats(case, key, reference):
    m, r, b = case
    assert float(m[key]) == pytest.approx(float(reference(r, b)), **TIGHT)


@pytest.mark.parametrize(("key", "reference"), EM_SAME, ids=[k for k, _ in EM_SAME])
def test_metrics_reproduce_empyrical(case, key, reference):
    m, r, b = case
    assert float(m[key]) == pytest.approx(float(reference(r, b)), **TIGHT)


def test_drawdown_episode_metrics_reproduce_quantstats_details(case):
    m, r, _ = case
    details = S.drawdown_details(S.to_drawdown_series(r))
    deepest = details.sort_values("max drawdown", kind="stable").iloc[0]
    assert m["max_drawdown_start"] == pd.Timestamp(deepest["start"])
    assert m["max_drawdown_valley"] == pd.Timestamp(deepest["valley"])
    assert m["max_drawdown_end"] == pd.Timestamp(deepest["end"])
    assert m["max_drawdown_days"] == deepest["days"]
    assert m["longest_drawdown_days"] == details["days"].max()
    assert m["avg_drawdown"] == pytest.approx(details["max drawdown"].mean() / 100, **TIGHT)
    assert m["avg_drawdown_days"] == pytest.approx(details["days"].mean(), **TIGHT)


def test_information_ratio_is_theirs_times_root_p(case):
    m, r, b = case
    assert m["information_ratio"] == pytest.approx(
        S.information_ratio(r, b) * np.sqrt(252), **TIGHT
    )
    assert m["information_ratio"] == pytest.approx(em.excess_sharpe(r, b) * np.sqrt(252), **TIGHT)


def test_ulcer_index_is_quantstats_times_root_n_minus_one_over_n(case):
    m, r, _ = case
    n = len(r)
    assert m["ulcer_index"] == pytest.approx(S.ulcer_index(r) * np.sqrt((n - 1) / n), **TIGHT)


def test_time_in_market_is_quantstats_exposure_before_rounding_up():
    values = np.full(97, 0.01)
    values[[0, 1, 2, 96]] = 0.0  # 93 of 97 periods in the market
    r = pd.Series(values, index=pd.bdate_range("2024-01-01", periods=97), name="s")
    share = compute_metrics(r)["s"]["time_in_market"]
    assert share == pytest.approx(93 / 97)
    assert S.exposure(r) == pytest.approx(0.96)  # QuantStats rounds up to the next percent
    assert np.ceil(share * 100) / 100 == pytest.approx(S.exposure(r))


def test_alpha_compounds_quantstats_arithmetic_alpha_when_rf_is_zero(case):
    _, r, b = case
    ours = compute_metrics(r, b)["strategy"]["alpha"]
    assert ours == pytest.approx((1 + S.greeks(r, b)["alpha"] / 252) ** 252 - 1, **TIGHT)


def test_treynor_recovery_and_upi_replace_total_return_by_the_documented_quantity(case):
    m, r, b = case
    beta, mdd = m["beta"], abs(m["max_drawdown"])
    assert m["treynor_ratio"] * beta == pytest.approx(m["cagr"] - RF, **TIGHT)
    assert S.treynor_ratio(r, b, rf=RF) * beta == pytest.approx(S.comp(r) - RF, rel=1e-9)
    assert m["recovery_factor"] * mdd == pytest.approx(S.comp(r), **TIGHT)
    assert S.recovery_factor(r) * mdd == pytest.approx(abs(r.sum()), **TIGHT)
    upi_qs = S.ulcer_performance_index(r, rf=RF) * S.ulcer_index(r)
    assert upi_qs == pytest.approx(S.comp(r) - RF, **TIGHT)
    assert m["ulcer_performance_index"] * m["ulcer_index"] == pytest.approx(m["cagr"] - RF, **TIGHT)


def test_gain_to_pain_month_compounds_months_where_quantstats_sums_them(case):
    m, r, _ = case
    months = qs.utils.aggregate_returns(r, "ME")  # QuantStats' own compounded months
    assert m["gain_to_pain_month"] == pytest.approx(
        months.sum() / -months[months < 0].sum(), **TIGHT
    )
    summed = r.groupby([r.index.year, r.index.month]).sum()
    expected_qs = summed.sum() / -summed[summed < 0].sum()
    assert S.gain_to_pain_ratio(r, resolution="ME") == pytest.approx(expected_qs, **TIGHT)


def test_probabilistic_sharpe_uses_raw_kurtosis_not_excess(case):
    m, r, _ = case
    sr = (r - RF_P).mean() / r.std()
    skew, raw_kurt, n = r.skew(), r.kurt() + 3, len(r)
    raw = np.sqrt((1 - skew * sr + (raw_kurt - 1) / 4 * sr**2) / (n - 1))
    excess = np.sqrt((1 - skew * sr + (raw_kurt - 4) / 4 * sr**2) / (n - 1))
    assert m["probabilistic_sharpe"] == pytest.approx(norm.cdf(sr / raw), **TIGHT)
    assert raw**2 - excess**2 == pytest.approx(0.75 * sr**2 / (n - 1), rel=1e-9)
    assert m["sharpe_std_error"] == pytest.approx(raw * np.sqrt(252), **TIGHT)
