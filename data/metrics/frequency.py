"""How often a series is observed, and a benchmark's return over each of its periods.

Metrics annualise by the periods in a year. A daily file gives 252, but weekly, monthly and
quarterly records are just as common: scoring 12 monthly returns a year as 252 daily ones
inflates CAGR, volatility and Sharpe many times over. The frequency is read from the spacing of
the observations; a benchmark is compounded over the same periods before the two are paired.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TRADING_DAYS = 252  # the convention for daily records of an exchange-traded strategy
CALENDAR_DAYS = 365  # daily records that include weekends (crypto, some FX books)
# median days between observations -> periods per year; outside every band, 365.25 / spacing
BANDS = ((5.0, 9.0, 52.0), (25.0, 35.0, 12.0), (80.0, 100.0, 4.0), (170.0, 200.0, 2.0))
YEARLY = (350.0, 380.0, 1.0)
WEEKEND_SHARE = 0.1  # more of the daily observations than this on a Saturday or Sunday: 365


def periods_per_year(index: pd.DatetimeIndex) -> float:
    """Periods per year of a series observed on `index` (252 when it cannot tell).

    Daily spacing (a median under 1.5 days between observations, so weekends and holidays do
    not count) gives 252, or 365 when weekends are observed too; weekly 52, monthly 12,
    quarterly 4, half-yearly 2, yearly 1; any other regular spacing 365.25 / median days.
    """
    index = pd.DatetimeIndex(index).dropna().unique().sort_values().as_unit("ns")
    if len(index) < 2:
        return float(TRADING_DAYS)
    days = float(np.median(np.diff(index.asi8))) / 86_400e9
    if days < 1.5:
        weekend = float(np.mean(index.day_of_week >= 5))
        return float(CALENDAR_DAYS if weekend > WEEKEND_SHARE else TRADING_DAYS)
    for low, high, periods in (*BANDS, YEARLY):
        if low <= days <= high:
            return periods
    return 365.25 / days


NOUNS = {252.0: "day", 365.0: "day", 52.0: "week", 12.0: "month", 4.0: "quarter", 1.0: "year"}


def period_noun(periods: float) -> str:
    """'day', 'week', 'month'… the unit one return covers, for the frequencies read here."""
    return NOUNS.get(float(periods), "period")


def benchmark_over(closes: pd.Series, dates: pd.DatetimeIndex) -> pd.Series:
    """The benchmark's return over each period of a series observed on `dates`.

    Each period runs from one observation to the next, so the benchmark's return is from its
    close at (or last before) the earlier date to its close at (or last before) the later one:
    a monthly strategy is paired with the benchmark's month, a strategy that skipped a day with
    the benchmark's two days. The first period is the benchmark's last bar before the first
    date when the series is daily, else one median spacing back. Periods past the benchmark's
    last close, or before its first, are NaN.
    """
    dates = pd.DatetimeIndex(dates)
    out = pd.Series(np.nan, index=dates, dtype=float)
    closes = closes.dropna().sort_index()
    closes = closes[~closes.index.duplicated(keep="last")]
    if closes.empty or len(dates) == 0:
        return out
    known = closes.index.searchsorted(dates, side="right") - 1  # last close at or before
    covered = (known >= 0) & (dates <= closes.index[-1])
    level = np.where(covered, closes.to_numpy(float)[np.maximum(known, 0)], np.nan)
    before = np.empty(len(dates))
    before[1:] = level[:-1]
    before[0] = _start_level(closes, dates)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:] = level / before - 1.0
    return out


def _start_level(closes: pd.Series, dates: pd.DatetimeIndex) -> float:
    """The benchmark's close where the first period began."""
    if len(dates) > 1 and periods_per_year(dates) < TRADING_DAYS:  # coarser than daily
        spacing = pd.Timedelta(int(np.median(np.diff(dates.as_unit("ns").asi8))), "ns")
        at = closes.index.searchsorted(dates[0] - spacing, side="right") - 1
    else:
        at = closes.index.searchsorted(dates[0], side="left") - 1  # the bar before the first
    return float(closes.iloc[at]) if at >= 0 else np.nan
