"""The registry describes exactly what compute_metrics returns, and formats it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.metrics import GROUPS, METRICS, compute_metrics, format_value
from tests.unit.metrics_fixtures import seeded_pair

ISSUE_KEYS = (
    "total_return", "cagr", "volatility", "sharpe", "sortino", "calmar", "max_drawdown",
    "max_drawdown_start", "max_drawdown_end", "longest_drawdown_days", "avg_drawdown",
    "avg_drawdown_days", "ulcer_index", "ulcer_performance_index", "serenity_index",
    "recovery_factor", "skew", "kurtosis", "omega", "tail_ratio", "value_at_risk", "cvar",
    "gain_to_pain", "payoff_ratio", "profit_factor", "common_sense_ratio", "cpc_index",
    "kelly_criterion", "risk_of_ruin", "win_days", "win_month", "win_quarter", "win_year",
    "best_day", "worst_day", "best_month", "worst_month", "best_year", "worst_year", "avg_win",
    "avg_loss", "max_consecutive_wins", "max_consecutive_losses", "time_in_market",
    "smart_sharpe", "smart_sortino", "probabilistic_sharpe", "mtd", "three_month", "six_month",
    "ytd", "one_year", "three_year_ann", "five_year_ann", "ten_year_ann", "all_time_ann",
    "expected_daily", "expected_monthly", "expected_yearly", "alpha", "beta", "correlation",
    "r_squared", "information_ratio", "treynor_ratio", "tracking_error", "up_capture",
    "down_capture", "stability", "downside_deviation", "deflated_sharpe",
    "min_track_record_length",
)  # fmt: skip

# every row of QuantStats' metrics(mode="full") and the key that carries it here
QUANTSTATS_FULL = {
    "Start Period": "start_date", "End Period": "end_date", "Risk-Free Rate": "risk_free_rate",
    "Time in Market": "time_in_market", "Cumulative Return": "total_return", "CAGR﹪": "cagr",
    "Sharpe": "sharpe", "Prob. Sharpe Ratio": "probabilistic_sharpe",
    "Smart Sharpe": "smart_sharpe", "Sortino": "sortino", "Smart Sortino": "smart_sortino",
    "Sortino/√2": "adjusted_sortino", "Smart Sortino/√2": "smart_adjusted_sortino",
    "Omega": "omega", "Max Drawdown": "max_drawdown", "Max DD Date": "max_drawdown_valley",
    "Max DD Period Start": "max_drawdown_start", "Max DD Period End": "max_drawdown_end",
    "Longest DD Days": "longest_drawdown_days", "Volatility (ann.)": "volatility",
    "R^2": "r_squared", "Information Ratio": "information_ratio", "Calmar": "calmar",
    "Skew": "skew", "Kurtosis": "kurtosis", "Ulcer Performance Index": "ulcer_performance_index",
    "Risk-Adjusted Return": "risk_adjusted_return", "Risk-Return Ratio": "risk_return_ratio",
    "Avg. Return": "avg_return", "Avg. Win": "avg_win", "Avg. Loss": "avg_loss",
    "Win/Loss Ratio": "payoff_ratio", "Profit Ratio": "profit_ratio",
    "Expected Daily": "expected_daily", "Expected Monthly": "expected_monthly",
    "Expected Yearly": "expected_yearly", "Kelly Criterion": "kelly_criterion",
    "Risk of Ruin": "risk_of_ruin", "Daily Value-at-Risk": "parametric_var",
    "Expected Shortfall (cVaR)": "parametric_cvar", "Max Consecutive Wins": "max_consecutive_wins",
    "Max Consecutive Losses": "max_consecutive_losses", "Gain/Pain Ratio": "gain_to_pain",
    "Gain/Pain (1M)": "gain_to_pain_month", "Payoff Ratio": "payoff_ratio",
    "Profit Factor": "profit_factor", "Common Sense Ratio": "common_sense_ratio",
    "CPC Index": "cpc_index", "Tail Ratio": "tail_ratio", "Outlier Win Ratio": "outlier_win_ratio",
    "Outlier Loss Ratio": "outlier_loss_ratio", "MTD": "mtd", "3M": "three_month",
    "6M": "six_month", "YTD": "ytd", "1Y": "one_year", "3Y (ann.)": "three_year_ann",
    "5Y (ann.)": "five_year_ann", "10Y (ann.)": "ten_year_ann", "All-time (ann.)": "all_time_ann",
    "Best Day": "best_day", "Worst Day": "worst_day", "Best Month": "best_month",
    "Worst Month": "worst_month", "Best Year": "best_year", "Worst Year": "worst_year",
    "Avg. Drawdown": "avg_drawdown", "Avg. Drawdown Days": "avg_drawdown_days",
    "Recovery Factor": "recovery_factor", "Ulcer Index": "ulcer_index",
    "Serenity Index": "serenity_index", "Avg. Up Month": "avg_up_month",
    "Avg. Down Month": "avg_down_month", "Win Days": "win_days", "Win Month": "win_month",
    "Win Quarter": "win_quarter", "Win Year": "win_year", "Beta": "beta", "Alpha": "alpha",
    "Correlation": "correlation", "Treynor Ratio": "treynor_ratio",
}  # fmt: skip


def test_registry_covers_the_issue_list_and_more_than_eighty_metrics():
    assert set(ISSUE_KEYS) <= set(METRICS)
    assert len(METRICS) > 100
    trade_keys = [k for k, m in METRICS.items() if m.group == "Trades"]
    assert len(trade_keys) >= 12


def test_registry_covers_every_quantstats_full_report_row():
    qs = pytest.importorskip("quantstats")
    r, b = seeded_pair(3)
    report = qs.reports.metrics(r, b, mode="full", display=False)
    rows = [row.strip().rstrip("%").strip() for row in report.index if row.strip()]
    for row in rows:
        assert row in QUANTSTATS_FULL, f"QuantStats row {row!r} has no mapping"
        assert QUANTSTATS_FULL[row] in METRICS


def test_every_entry_is_complete_and_ordered_by_group():
    order = [GROUPS.index(m.group) for m in METRICS.values()]
    assert order == sorted(order)
    for key, m in METRICS.items():
        assert m.key == key and m.label and m.definition and m.reference
        assert m.higher_is_better in (True, False, None)


def test_compute_metrics_rows_are_registry_keys_in_registry_order():
    r, b = seeded_pair(3)
    trades = pd.DataFrame({"strategy": ["strategy"] * 3, "pnl": [1.0, -2.0, 3.0]})
    rows = list(compute_metrics(r, b, trades=trades, n_trials=10, trials_sharpe_std=1).index)
    assert rows == list(METRICS)  # everything, when everything is supplied
    plain = list(compute_metrics(r).index)
    assert plain == [k for k in METRICS if METRICS[k].group not in ("Benchmark", "Trades")
                     and k != "deflated_sharpe"]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("cagr", 0.123456, "12.35%"),
        ("sharpe", 1.23456, "1.23"),
        ("longest_drawdown_days", 123.4, "123 d"),
        ("max_drawdown_start", pd.Timestamp("2024-01-31 15:30"), "2024-01-31"),
        ("max_consecutive_wins", 7.0, "7"),
        ("trade_net_pnl", 1234.5, "1,234.50"),
        ("sharpe", float("nan"), "—"),
        ("max_drawdown_end", pd.NaT, "—"),
        ("volatility", None, "—"),
        ("sharpe", np.float64(-0.5), "-0.50"),
    ],
)
def test_format_value_renders_by_unit(key, value, text):
    assert format_value(key, value) == text


def test_format_value_refuses_unknown_keys():
    with pytest.raises(KeyError):
        format_value("sharpness", 1.0)


def test_keys_restrict_rows_and_unknown_or_unavailable_keys_are_refused():
    r, b = seeded_pair(3)
    full = compute_metrics(r, b)
    some = compute_metrics(r, b, keys=["beta", "max_drawdown_end", "sharpe"])
    assert list(some.index) == ["sharpe", "max_drawdown_end", "beta"]  # registry order
    pd.testing.assert_frame_equal(some, full.loc[list(some.index)])
    with pytest.raises(ValueError, match="unknown"):
        compute_metrics(r, keys=["sharpness"])
    with pytest.raises(ValueError, match="need a benchmark"):
        compute_metrics(r, keys=["beta"])
