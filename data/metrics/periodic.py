"""Compounding returns into calendar periods with one reduceat per frequency."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .panel import Panel

__all__ = ["PERIOD_KEYS", "compound_by_period"]

# frequency alias → the integer that identifies a date's calendar period
PERIOD_KEYS = {
    "W": lambda ix: (ix.normalize() - pd.Timestamp("1970-01-05")).days // 7,
    "ME": lambda ix: ix.year * 12 + ix.month,
    "QE": lambda ix: ix.year * 4 + ix.quarter,
    "YE": lambda ix: ix.year,
}


def compound_by_period(p: Panel, freq: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """(last date of each period, compounded returns per period); NaN where unobserved."""
    if freq not in PERIOD_KEYS:
        raise ValueError(f"unknown period {freq!r}; use one of {sorted(PERIOD_KEYS)}")
    if p.shape[0] == 0:
        return pd.DatetimeIndex([]), np.empty((0, p.shape[1]))
    ix = p.index.tz_localize(None) if p.index.tz is not None else p.index
    keys = np.asarray(PERIOD_KEYS[freq](ix))
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    with np.errstate(invalid="ignore"):
        growth = np.add.reduceat(p.log_growth, starts, axis=0)
        rets = np.where(np.add.reduceat(p.observed, starts, axis=0), np.expm1(growth), np.nan)
    ends = np.r_[starts[1:] - 1, len(keys) - 1]
    return p.index[ends], rets
