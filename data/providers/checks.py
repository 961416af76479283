"""Payload checks every adapter runs before anything is written: shape, values and completeness."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from data.calendar import trading_days
from data.providers.base import BAR_COLUMNS, IncompleteData

PRICES = ["open", "high", "low", "close"]
SLACK = 1e-6  # providers round OHLC independently; allow a hair of inconsistency


def check_bars(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """Refuse bars with missing, non-finite or non-positive prices, or unsorted/duplicate stamps."""
    missing = [c for c in BAR_COLUMNS if c not in frame.columns]
    if missing:
        raise IncompleteData(f"{what}: bars lack {', '.join(missing)}")
    if not frame.index.is_monotonic_increasing or frame.index.has_duplicates:
        raise IncompleteData(f"{what}: bar timestamps are not sorted and unique")
    prices = frame[PRICES].to_numpy(float)
    if not np.isfinite(prices).all() or (prices <= 0).any():
        raise IncompleteData(f"{what}: a bar has a missing, infinite or non-positive price")
    volume = frame["volume"].to_numpy(float)
    if not np.isfinite(volume).all() or (volume < 0).any():
        raise IncompleteData(f"{what}: a bar has a missing or negative volume")
    high, low = frame["high"], frame["low"]
    top = frame[["open", "close"]].max(axis=1)
    bottom = frame[["open", "close"]].min(axis=1)
    if (high < top * (1 - SLACK)).any() or (low > bottom * (1 + SLACK)).any():
        raise IncompleteData(f"{what}: a bar's high/low does not bracket its open/close")
    return frame


def check_sessions(
    index: pd.DatetimeIndex,
    start: dt.date,
    end: dt.date,
    what: str,
    *,
    late_start: bool = False,
    until: dt.date | None = None,
) -> None:
    """Require exactly one daily point per XNYS session from `start` to `end`.

    `late_start` accepts a first point after `start` (a backfill reaching before the listing date,
    an account opened later); a gap after the first point, or a missing last session, is refused.
    `until` makes the sessions after it optional at the end (one still trading, not yet final).
    """
    expected = trading_days(pd.Timestamp(start), pd.Timestamp(end))
    extra = index.difference(expected)
    if len(extra):
        raise IncompleteData(f"{what}: data for {extra[0].date()}, which is not a session in range")
    if late_start and len(index):
        expected = expected[expected >= index[0]]
    if until is not None:  # up to `until`, and with no gap before the last point given
        required = pd.Timestamp(until, tz="UTC")
        if len(index):
            required = max(required, index[-1])
        expected = expected[expected <= required]
    missing = expected.difference(index)
    if len(missing):
        raise IncompleteData(
            f"{what}: {len(missing)} of {len(expected)} sessions missing "
            f"(first {missing[0].date()}); refusing partial data"
        )


def check_continues(index: pd.DatetimeIndex, mark: dt.datetime, what: str) -> None:
    """Require a re-read to reach back to the stored watermark, so old and new data join up."""
    if index.empty or index[0] > pd.Timestamp(mark):
        raise IncompleteData(f"{what}: the answer does not reach back to {mark:%Y-%m-%d %H:%M}")


def check_window(index: pd.DatetimeIndex, start: dt.datetime, end: dt.datetime, what: str) -> None:
    """Require intraday stamps to be sorted, unique and inside [`start`, `end`]."""
    if not index.is_monotonic_increasing or index.has_duplicates:
        raise IncompleteData(f"{what}: timestamps are not sorted and unique")
    if len(index) and (index[0] < pd.Timestamp(start) or index[-1] > pd.Timestamp(end)):
        raise IncompleteData(f"{what}: timestamps outside the requested window")


def adjust_for_dividends(
    frame: pd.DataFrame, dividends: list[tuple[pd.Timestamp, float]], what: str
) -> pd.DataFrame:
    """Adjust for cash dividends: before each ex-date, scale by 1 - amount / prior close.

    The CRSP-style total-return adjustment; volumes are left alone (only splits change them).
    """
    factor = np.ones(len(frame))
    closes = frame["close"].to_numpy(float)
    for ex_date, amount in dividends:
        before = frame.index < ex_date
        if not before.any() or amount <= 0:
            continue
        prior = closes[before][-1]
        ratio = 1.0 - amount / prior
        if not 0.0 < ratio <= 1.0:
            raise IncompleteData(f"{what}: dividend {amount} on {ex_date.date()} exceeds the price")
        factor[before] *= ratio
    adjusted = frame.copy()
    for column in PRICES:
        adjusted[column] = frame[column].to_numpy(float) * factor
    return adjusted
