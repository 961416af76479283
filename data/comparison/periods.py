"""Live and backtest on common periods: a daily paper record against a monthly backtest."""

from __future__ import annotations

import pandas as pd

from data.metrics.frequency import periods_per_year

# periods per year -> the calendar periods a finer record is compounded into
CALENDAR = {52.0: "W-FRI", 12.0: "ME", 4.0: "QE", 1.0: "YE"}
COMPLETE = 0.8  # an edge period with fewer observations than this share of the usual is partial


def on_common_periods(live: pd.Series, backtest: pd.Series) -> tuple[pd.Series, pd.Series, float]:
    """(live, backtest, periods per year), the finer record compounded to the coarser's periods.

    Each compounded period is dated by its last observation, so the two records pair on dates
    where both end a period; a first or last period observed less than COMPLETE of the usual
    count (a record starting mid-month) is left out rather than compared as a whole one.
    Records at the same frequency, or at one without calendar periods, come back unchanged.
    """
    p_live, p_backtest = periods_per_year(live.index), periods_per_year(backtest.index)
    coarse = min(p_live, p_backtest)
    rule = CALENDAR.get(coarse)
    if p_live == p_backtest or rule is None:
        return live, backtest, p_live if p_live == p_backtest else coarse
    if p_live > p_backtest:
        return _compounded(live, rule), backtest, coarse
    return live, _compounded(backtest, rule), coarse


def _compounded(returns: pd.Series, rule: str) -> pd.Series:
    returns = returns.dropna()
    dates = pd.Series(returns.index, index=returns.index)
    grouped = (1.0 + returns).resample(rule)
    out = pd.DataFrame(
        {"ret": grouped.prod() - 1.0, "n": grouped.count(), "at": dates.resample(rule).max()}
    )
    out = out[out["n"] > 0]
    usual = out["n"].median()
    partial = out["n"] < COMPLETE * usual
    edges = pd.Series(False, index=out.index)
    if len(out):
        edges.iloc[[0, -1]] = True
    out = out[~(partial & edges)]
    return pd.Series(out["ret"].to_numpy(), index=pd.DatetimeIndex(out["at"]), name=returns.name)
