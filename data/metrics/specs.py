"""The key → function table behind compute_metrics: one entry per computed registry row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.tseries.offsets import DateOffset

from . import benchmark as bm
from . import drawdown as dd
from . import pain, periods, ratios, risk, robustness, winloss
from . import returns as rt
from .panel import Panel

__all__ = ["BENCHMARK_SPECS", "DD_KEYS", "SPECS", "Ctx", "Spec", "drawdown_rows"]


@dataclass(frozen=True)
class Ctx:
    """What every metric may depend on."""

    p: Panel
    rf: float
    P: float
    bench: pd.Series | pd.DataFrame | None


Spec = tuple[str, Callable[[Ctx], object]]

PERIOD_SPECS: tuple[Spec, ...] = (
    ("mtd", lambda c: rt.trailing_return(c.p, "mtd")),
    ("three_month", lambda c: rt.trailing_return(c.p, DateOffset(months=3))),
    ("six_month", lambda c: rt.trailing_return(c.p, DateOffset(months=6))),
    ("ytd", lambda c: rt.trailing_return(c.p, "ytd")),
    ("one_year", lambda c: rt.trailing_return(c.p, DateOffset(years=1))),
    ("three_year_ann", lambda c: rt.annualised_window(c.p, 3, c.P)),
    ("five_year_ann", lambda c: rt.annualised_window(c.p, 5, c.P)),
    ("ten_year_ann", lambda c: rt.annualised_window(c.p, 10, c.P)),
    ("all_time_ann", lambda c: rt.cagr(c.p, c.P)),
    ("best_day", lambda c: periods.best_period(c.p)),
    ("worst_day", lambda c: periods.worst_period(c.p)),
    ("best_month", lambda c: periods.best_period(c.p, "ME")),
    ("worst_month", lambda c: periods.worst_period(c.p, "ME")),
    ("best_quarter", lambda c: periods.best_period(c.p, "QE")),
    ("worst_quarter", lambda c: periods.worst_period(c.p, "QE")),
    ("best_year", lambda c: periods.best_period(c.p, "YE")),
    ("worst_year", lambda c: periods.worst_period(c.p, "YE")),
    ("win_month", lambda c: periods.period_win_rate(c.p, "ME")),
    ("win_quarter", lambda c: periods.period_win_rate(c.p, "QE")),
    ("win_year", lambda c: periods.period_win_rate(c.p, "YE")),
    ("avg_up_month", lambda c: periods.avg_period_win(c.p, "ME")),
    ("avg_down_month", lambda c: periods.avg_period_loss(c.p, "ME")),
)

SPECS: tuple[Spec, ...] = (
    ("start_date", lambda c: pd.DatetimeIndex(c.p.index[c.p.first]).where(c.p.count > 0)),
    ("end_date", lambda c: pd.DatetimeIndex(c.p.index[c.p.last]).where(c.p.count > 0)),
    ("observations", lambda c: c.p.count.astype(float)),
    ("risk_free_rate", lambda c: np.full(c.p.shape[1], c.rf)),
    ("total_return", lambda c: rt.total_return(c.p)),
    ("cagr", lambda c: rt.cagr(c.p, c.P)),
    ("expected_daily", lambda c: rt.expected_return(c.p)),
    ("expected_monthly", lambda c: rt.expected_return(c.p, "ME")),
    ("expected_yearly", lambda c: rt.expected_return(c.p, "YE")),
    ("avg_return", lambda c: rt.avg_return(c.p)),
    ("time_in_market", lambda c: rt.time_in_market(c.p)),
    ("risk_adjusted_return", lambda c: rt.risk_adjusted_return(c.p, c.P)),
    ("sharpe", lambda c: ratios.sharpe(c.p, c.rf, c.P)),
    ("smart_sharpe", lambda c: ratios.smart_sharpe(c.p, c.rf, c.P)),
    ("sortino", lambda c: ratios.sortino(c.p, c.rf, c.P)),
    ("smart_sortino", lambda c: ratios.smart_sortino(c.p, c.rf, c.P)),
    ("adjusted_sortino", lambda c: ratios.adjusted_sortino(c.p, c.rf, c.P)),
    ("smart_adjusted_sortino", lambda c: ratios.smart_sortino(c.p, c.rf, c.P) / np.sqrt(2)),
    ("omega", lambda c: ratios.omega(c.p, c.rf, c.P)),
    ("calmar", lambda c: pain.calmar(c.p, c.P)),
    ("risk_return_ratio", lambda c: ratios.risk_return_ratio(c.p)),
    ("gain_to_pain", lambda c: ratios.gain_to_pain(c.p)),
    ("gain_to_pain_month", lambda c: ratios.gain_to_pain(c.p, "ME")),
    ("ulcer_performance_index", lambda c: pain.ulcer_performance_index(c.p, c.rf, c.P)),
    ("serenity_index", lambda c: pain.serenity_index(c.p, c.rf, c.P)),
    ("recovery_factor", lambda c: pain.recovery_factor(c.p)),
    ("volatility", lambda c: risk.volatility(c.p, c.P)),
    ("downside_deviation", lambda c: risk.downside_deviation(c.p, c.rf, c.P)),
    ("value_at_risk", lambda c: risk.value_at_risk(c.p)),
    ("cvar", lambda c: risk.cvar(c.p)),
    ("parametric_var", lambda c: risk.parametric_var(c.p)),
    ("parametric_cvar", lambda c: risk.parametric_cvar(c.p)),
    ("max_drawdown", lambda c: dd.max_drawdown(c.p)),
    ("ulcer_index", lambda c: pain.ulcer_index(c.p)),
    ("conditional_drawdown", lambda c: pain.conditional_drawdown(c.p)),
    ("skew", lambda c: risk.skew(c.p)),
    ("kurtosis", lambda c: risk.kurtosis(c.p)),
    ("tail_ratio", lambda c: risk.tail_ratio(c.p)),
    ("outlier_win_ratio", lambda c: risk.outlier_win_ratio(c.p)),
    ("outlier_loss_ratio", lambda c: risk.outlier_loss_ratio(c.p)),
    ("autocorrelation", lambda c: ratios.lag1_autocorr(c.p)),
    ("win_days", lambda c: winloss.win_rate(c.p)),
    ("avg_win", lambda c: winloss.avg_win(c.p)),
    ("avg_loss", lambda c: winloss.avg_loss(c.p)),
    ("payoff_ratio", lambda c: winloss.payoff_ratio(c.p)),
    ("profit_ratio", lambda c: winloss.profit_ratio(c.p)),
    ("profit_factor", lambda c: winloss.profit_factor(c.p)),
    ("common_sense_ratio", lambda c: winloss.common_sense_ratio(c.p)),
    ("cpc_index", lambda c: winloss.cpc_index(c.p)),
    ("kelly_criterion", lambda c: winloss.kelly_criterion(c.p)),
    ("risk_of_ruin", lambda c: winloss.risk_of_ruin(c.p)),
    ("max_consecutive_wins", lambda c: winloss.max_consecutive_wins(c.p)),
    ("max_consecutive_losses", lambda c: winloss.max_consecutive_losses(c.p)),
    *PERIOD_SPECS,
    ("probabilistic_sharpe", lambda c: robustness.probabilistic_sharpe(c.p, c.rf, c.P)),
    ("min_track_record_length", lambda c: robustness.min_track_record_length(c.p, c.rf, c.P)),
    ("sharpe_std_error", lambda c: robustness.sharpe_std_error(c.p, c.rf, c.P) * np.sqrt(c.P)),
    ("stability", lambda c: robustness.stability(c.p)),
)

BENCHMARK_SPECS: tuple[Spec, ...] = (
    ("alpha", lambda c: bm.alpha(c.p, c.bench, c.rf, c.P)),
    ("beta", lambda c: bm.beta(c.p, c.bench)),
    ("correlation", lambda c: bm.correlation(c.p, c.bench)),
    ("r_squared", lambda c: bm.r_squared(c.p, c.bench)),
    ("tracking_error", lambda c: bm.tracking_error(c.p, c.bench, c.P)),
    ("information_ratio", lambda c: bm.information_ratio(c.p, c.bench, c.P)),
    ("treynor_ratio", lambda c: bm.treynor_ratio(c.p, c.bench, c.rf, c.P)),
    ("up_capture", lambda c: bm.up_capture(c.p, c.bench, c.P)),
    ("down_capture", lambda c: bm.down_capture(c.p, c.bench, c.P)),
)


DD_KEYS = (
    "max_drawdown_start",
    "max_drawdown_valley",
    "max_drawdown_end",
    "max_drawdown_days",
    "longest_drawdown_days",
    "avg_drawdown",
    "avg_drawdown_days",
)


def drawdown_rows(p: Panel) -> dict[str, object]:
    """Episode-based drawdown rows, from one shared pass over the underwater runs."""
    s = dd.drawdown_stats(p)
    rows = (s.start, s.valley, s.end, s.max_days, s.longest_days, s.avg_depth, s.avg_days)
    return dict(zip(DD_KEYS, rows, strict=True))
