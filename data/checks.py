"""Validation checks on return series: integrity, history, significance, limits, degradation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.calendar import exchange_calendar
from data.comparison import significance as sig
from data.metrics.drawdown import max_drawdown
from data.metrics.panel import as_panel
from data.metrics.ratios import sharpe
from data.metrics.risk import volatility
from data.metrics.robustness import (
    deflated_sharpe,
    min_track_record_length,
    probabilistic_sharpe,
)
from data.metrics.winloss import longest_streak

__all__ = [
    "CheckResult",
    "check_calendar_gaps",
    "check_deflated_sharpe",
    "check_degradation",
    "check_drawdown_limit",
    "check_duplicates",
    "check_history",
    "check_outliers",
    "check_probabilistic_sharpe",
    "check_stale_prices",
    "check_volatility_limit",
    "trading_sessions",
]


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check: pass/fail, the measured value, the threshold and why."""

    name: str
    passed: bool
    value: float
    threshold: float
    message: str
    details: tuple[str, ...] = ()


def trading_sessions(start: pd.Timestamp, end: pd.Timestamp, calendar: str = "XNYS"):
    """Session dates of an exchange calendar between start and end, inclusive."""
    cal = exchange_calendar(calendar)
    lo, hi = (
        max(pd.Timestamp(start), cal.first_session),
        min(pd.Timestamp(end), cal.last_session),
    )
    return cal.sessions_in_range(lo, hi)


def _dates(index: pd.Index) -> pd.DatetimeIndex:
    """Timezone-naive midnight dates in the index's own time zone (an evening stays that day)."""
    ix = pd.DatetimeIndex(index)
    return (ix.tz_localize(None) if ix.tz is not None else ix).normalize()


def check_calendar_gaps(
    index: pd.Index, calendar: str = "XNYS", max_missing: int = 0
) -> CheckResult:
    """Sessions missing between the first and last date, and dates that are not sessions."""
    dates = _dates(index).unique()
    if len(dates) == 0:
        return CheckResult("calendar_gaps", False, np.nan, max_missing, "no dates to check")
    sessions = trading_sessions(dates.min(), dates.max(), calendar)
    missing, extra = sessions.difference(dates), dates.difference(sessions)
    passed = len(missing) <= max_missing and len(extra) == 0
    details = tuple(f"missing {d.date()}" for d in missing[:20]) + tuple(
        f"not a {calendar} session: {d.date()}" for d in extra[:20]
    )
    message = f"{len(missing)} missing {calendar} sessions, {len(extra)} non-session dates"
    return CheckResult("calendar_gaps", passed, float(len(missing)), max_missing, message, details)


def check_duplicates(index: pd.Index) -> CheckResult:
    """Timestamps that occur more than once."""
    dupes = pd.Index(index)[pd.Index(index).duplicated()].unique()
    details = tuple(str(d) for d in dupes[:20])
    message = f"{len(dupes)} duplicated timestamps"
    return CheckResult("duplicates", len(dupes) == 0, float(len(dupes)), 0.0, message, details)


def check_outliers(returns: pd.Series, max_z: float = 10.0) -> CheckResult:
    """Returns further than max_z robust z-scores (median, 1.4826·MAD) from the median."""
    r = returns.dropna()
    mad = 1.4826 * (r - r.median()).abs().median()
    if len(r) == 0 or mad == 0:
        return CheckResult("outliers", True, 0.0, max_z, "no dispersion to judge outliers by")
    z = (r - r.median()).abs() / mad
    flagged = z[z > max_z]
    details = tuple(f"{d}: {r[d]:+.4%} (z = {v:.1f})" for d, v in flagged.head(20).items())
    message = f"{len(flagged)} returns beyond {max_z} robust z-scores"
    return CheckResult("outliers", flagged.empty, float(len(flagged)), max_z, message, details)


def check_stale_prices(prices: pd.Series, max_run: int = 5) -> CheckResult:
    """Longest run of consecutive identical prices (a feed that stopped updating)."""
    p = prices.dropna().to_numpy()
    same = np.r_[False, p[1:] == p[:-1]]  # True where the price repeats the previous one
    longest = int(longest_streak(same[:, None])[0]) + 1 if len(p) else 0
    message = f"longest run of an unchanged price: {longest} periods"
    return CheckResult("stale_prices", longest < max_run, float(longest), float(max_run), message)


def _single(returns: pd.Series):
    """A one-strategy panel."""
    p = as_panel(returns)
    if p.shape[1] != 1:
        raise ValueError("checks take one strategy's returns")
    return p


def check_history(
    returns: pd.Series, rf: float = 0.0, periods_per_year: float = 252, min_obs: int = 63
) -> CheckResult:
    """Enough observations: at least min_obs and the minimum track record length (PSR 95 %)."""
    p = _single(returns)
    n = int(p.count[0])
    needed = float(min_track_record_length(p, rf, periods_per_year)[0])
    threshold = max(float(min_obs), needed) if not np.isnan(needed) else np.inf
    message = f"{n} observations; MinTRL {needed:.0f}, floor {min_obs}"
    return CheckResult("history", n >= threshold, float(n), threshold, message)


def check_probabilistic_sharpe(
    returns: pd.Series,
    threshold: float = 0.95,
    benchmark_sharpe: float = 0.0,
    rf: float = 0.0,
    periods_per_year: float = 252,
) -> CheckResult:
    """PSR against an annualised benchmark Sharpe must reach the threshold."""
    psr = float(probabilistic_sharpe(_single(returns), rf, periods_per_year, benchmark_sharpe)[0])
    message = f"PSR(SR* = {benchmark_sharpe}) = {psr:.1%}"
    return CheckResult("probabilistic_sharpe", psr >= threshold, psr, threshold, message)


def check_deflated_sharpe(
    returns: pd.Series,
    n_trials: int,
    trials_sharpe_std: float,
    threshold: float = 0.95,
    rf: float = 0.0,
    periods_per_year: float = 252,
) -> CheckResult:
    """DSR given the number of trials and the std of their annualised Sharpe ratios."""
    p = _single(returns)
    dsr = float(deflated_sharpe(p, n_trials, trials_sharpe_std, rf, periods_per_year)[0])
    message = f"DSR over {n_trials} trials = {dsr:.1%}"
    return CheckResult("deflated_sharpe", dsr >= threshold, dsr, threshold, message)


def check_drawdown_limit(returns: pd.Series, limit: float = 0.25) -> CheckResult:
    """Maximum drawdown no deeper than the limit (a positive fraction)."""
    depth = float(-max_drawdown(_single(returns))[0])
    message = f"max drawdown {depth:.1%} against a limit of {limit:.1%}"
    return CheckResult("drawdown_limit", depth <= limit, depth, limit, message)


def check_volatility_limit(
    returns: pd.Series, limit: float = 0.30, periods_per_year: float = 252
) -> CheckResult:
    """Annualised volatility no higher than the limit."""
    vol = float(volatility(_single(returns), periods_per_year)[0])
    message = f"volatility {vol:.1%} against a limit of {limit:.1%}"
    return CheckResult("volatility_limit", vol <= limit, vol, limit, message)


def check_degradation(
    in_sample: pd.Series,
    out_of_sample: pd.Series,
    max_drop: float = 0.5,
    alpha: float = 0.05,
    periods_per_year: float = 252,
) -> CheckResult:
    """Out-of-sample Sharpe keeps ≥ (1 − max_drop) of in-sample's and is not significantly lower."""
    is_sr = float(sharpe(_single(in_sample), 0.0, periods_per_year)[0])
    oos_sr = float(sharpe(_single(out_of_sample), 0.0, periods_per_year)[0])
    # with a non-positive in-sample Sharpe a ratio means nothing: not getting worse is enough
    kept = oos_sr / is_sr if is_sr > 0 else (1.0 if oos_sr >= is_sr else 0.0)
    test = sig.sharpe_difference_independent(
        out_of_sample.dropna().to_numpy(), in_sample.dropna().to_numpy(), periods_per_year
    )
    p = float(test.p_value)
    significant = p < alpha and oos_sr < is_sr
    passed = bool(kept >= 1 - max_drop) and not significant
    message = (
        f"Sharpe {is_sr:.2f} in sample, {oos_sr:.2f} out of sample ({kept:.0%} kept); p = {p:.3g}"
    )
    return CheckResult("degradation", passed, kept, 1 - max_drop, message)
