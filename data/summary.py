"""Book summaries: period returns and sparklines for many strategies at once (vectorised)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def period_returns(returns: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Per column: last day, month-to-date and year-to-date compounded returns, and the last date.

    `returns` is days x strategies of simple daily returns (NaN outside a strategy's life).
    Periods are calendar periods of each strategy's own last date.
    """
    if returns.empty:
        return pd.DataFrame(columns=["last_date", "today", "mtd", "ytd"], dtype=float)
    valid = returns.notna()
    last_pos = np.where(valid.any(), valid.to_numpy()[::-1].argmax(axis=0), -1)
    last_dates = pd.Series(
        [returns.index[len(returns) - 1 - p] if p >= 0 else pd.NaT for p in last_pos],
        index=returns.columns,
    )
    if as_of is not None:
        last_dates = last_dates.clip(upper=as_of)
    growth = np.log1p(returns.fillna(0.0))
    cumulative = growth.cumsum()
    out = pd.DataFrame(index=returns.columns)
    out["last_date"] = last_dates
    out["today"] = [returns[c].get(d, np.nan) for c, d in last_dates.items()]
    out["mtd"] = _since(cumulative, last_dates, "M")
    out["ytd"] = _since(cumulative, last_dates, "Y")
    return out


def _since(cumulative: pd.DataFrame, last_dates: pd.Series, period: str) -> list[float]:
    values = []
    for column, last in last_dates.items():
        if pd.isna(last):
            values.append(np.nan)
            continue
        start = last.normalize().replace(day=1, month=1 if period == "Y" else last.month)
        before = cumulative.index[cumulative.index < start]
        base = cumulative.loc[before[-1], column] if len(before) else 0.0
        values.append(float(np.expm1(cumulative.loc[last, column] - base)))
    return values


def sparkline(equity: pd.Series, points: int = 60) -> list[float]:
    """An equity curve reduced to about `points` values, rebased to 1.0 at its start."""
    clean = equity.dropna()
    if clean.empty:
        return []
    step = max(1, len(clean) // points)
    keep = np.union1d([0], np.arange(len(clean) - 1, -1, -step))  # both ends exactly
    sampled = clean.iloc[keep]
    return (sampled / sampled.iloc[0]).round(5).tolist()
