"""A strategy's daily equity rebuilt from its own fills, for strategies sharing a broker account.

An account's equity cannot be split between the strategies trading in it, so each one's equity is
rebuilt from its fills and the market's closes, starting from the capital allotted to it:

    equity_t = capital + cash_t + sum over symbols of units_t * adjusted_close_t

- `cash_t` sums every fill up to session t: a buy of q at p pays q * p, a sell receives it; fees
  are paid.
- Holdings are kept in *adjusted units*, so splits and dividends need no separate records: a fill
  of q shares on session d adds q * raw_close_d / adjusted_close_d units (the adjusted series is
  continuous through a split, and a dividend is reinvested, as total-return indices treat it).
  Marked at d's close, the fill is worth q * raw_close_d, exactly as the broker would mark it.
- A fill belongs to the session of its New York calendar date; one outside any session (a
  weekend, a holiday) belongs to the next session.

The first point is the session of the first fill; its return is undefined (there is no earlier
point), so the series starts at `capital` plus that day's result.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from data.providers.base import new_york_dates

DUST = 1e-9  # units below this (after a position is closed) are rounding, not a holding


class LedgerError(ValueError):
    """The fills and closes cannot make an equity series; the message says what is missing."""


def fill_sessions(stamps: pd.Series | pd.DatetimeIndex, sessions: pd.DatetimeIndex) -> np.ndarray:
    """The position in `sessions` (midnight UTC) of each fill's session: its New York date's, or
    the next session's when that date is not one. -1 for fills after the last session."""
    dates = new_york_dates(pd.to_datetime(stamps, utc=True))  # New York dates at midnight UTC
    where = sessions.searchsorted(dates.as_unit(sessions.unit), side="left")
    return np.where(where < len(sessions), where, -1)


def marked_equity(
    trades: pd.DataFrame,
    raw: Mapping[str, pd.Series],
    adjusted: Mapping[str, pd.Series],
    sessions: pd.DatetimeIndex,
    capital: float,
) -> pd.Series:
    """Daily equity over `sessions` from the first fill's session (see the module's docstring).

    `trades` has columns ts, symbol, side ("buy"/"sell"...), quantity, price and fee; `raw` and
    `adjusted` map each traded symbol to its closes by session. Raises LedgerError when a close is
    missing while a position is open or a fill is made, or when equity falls to zero or below.
    """
    if not capital > 0:
        raise LedgerError("capital must be a positive amount")
    if trades.empty or sessions.empty:
        return pd.Series(dtype=float, index=sessions[:0], name="equity")
    at = fill_sessions(trades["ts"], sessions)
    if (at < 0).any():
        raise LedgerError("a fill is later than the last settled session")
    start = int(at.min())
    window = sessions[start:]
    at = at - start
    sign = np.where(trades["side"].astype(str).str.lower().str.startswith("sell"), -1.0, 1.0)
    quantity = sign * trades["quantity"].to_numpy(float)
    flows = -quantity * trades["price"].to_numpy(float) - trades["fee"].fillna(0).to_numpy(float)
    cash = np.cumsum(np.bincount(at, weights=flows, minlength=len(window)))
    value = np.zeros(len(window))
    symbols = trades["symbol"].astype(str).to_numpy()
    for symbol in sorted(set(symbols)):
        mine = symbols == symbol
        close_raw = _closes(raw, symbol, window, "unadjusted")
        close_adj = _closes(adjusted, symbol, window, "adjusted")
        factor = close_raw[at[mine]] / close_adj[at[mine]]
        units = np.bincount(at[mine], weights=quantity[mine] * factor, minlength=len(window))
        held = np.cumsum(units)
        held[np.abs(held) < DUST * max(1.0, np.abs(units).max())] = 0.0
        needed = held != 0
        bad = needed & np.isnan(close_adj)
        bad[at[mine][np.isnan(factor)]] = True
        if bad.any():
            day = window[int(np.argmax(bad))].date()
            raise LedgerError(f"{symbol}: no close on {day}, a session it was traded or held")
        value += np.where(needed, held * np.nan_to_num(close_adj), 0.0)
    equity = capital + cash + value
    if (equity <= 0).any():
        day = window[int(np.argmax(equity <= 0))].date()
        raise LedgerError(
            f"equity falls to zero or below on {day}: the allotted capital is too small"
        )
    return pd.Series(equity, index=window, name="equity")


def _closes(
    closes: Mapping[str, pd.Series], symbol: str, window: pd.DatetimeIndex, kind: str
) -> np.ndarray:
    series = closes.get(symbol)
    if series is None:
        raise LedgerError(f"{symbol}: no {kind} closes")
    values = series.reindex(window).to_numpy(float, copy=True)
    values[values <= 0] = np.nan
    return values
