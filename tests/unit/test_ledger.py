"""Equity rebuilt from fills (data.ledger): known answers for trading, splits, dividends, fees."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.calendar import trading_days
from data.ledger import LedgerError, fill_sessions, marked_equity

DAYS = trading_days("2024-06-10", "2024-06-14")  # Monday to Friday
CAPITAL = 10_000.0


def fills(*rows: tuple[str, str, str, float, float], fee: float = 0.0) -> pd.DataFrame:
    """Fills from (New York time, symbol, side, quantity, price)."""
    stamps = pd.DatetimeIndex([pd.Timestamp(t, tz="America/New_York") for t, *_ in rows])
    return pd.DataFrame(
        {
            "ts": stamps.tz_convert("UTC"),
            "symbol": [r[1] for r in rows],
            "side": [r[2] for r in rows],
            "quantity": [r[3] for r in rows],
            "price": [r[4] for r in rows],
            "fee": fee,
        }
    )


def closes(values: list[float], days: pd.DatetimeIndex = DAYS) -> pd.Series:
    return pd.Series(values, index=days[: len(values)], dtype=float)


def test_a_round_trip_is_marked_each_close_and_ends_in_its_cash():
    trades = fills(
        ("2024-06-10 10:00", "XYZ", "buy", 10, 100.0),
        ("2024-06-12 15:00", "XYZ", "sell", 10, 102.0),
    )
    price = closes([101.0, 99.0, 103.0, 90.0, 95.0])
    equity = marked_equity(trades, {"XYZ": price}, {"XYZ": price}, DAYS, CAPITAL)
    assert equity.index.equals(DAYS)
    # Monday: 10 shares bought at 100, worth 1,010 at the close; Tuesday 990; then flat in cash
    assert equity.tolist() == pytest.approx([10_010, 9_990, 10_020, 10_020, 10_020])


def test_the_series_starts_at_the_first_fill_and_a_weekend_fill_counts_on_monday():
    trades = fills(("2024-06-09 12:00", "XYZ", "buy", 1, 100.0))  # a Sunday
    price = closes([100.0, 100.0, 100.0, 100.0, 100.0])
    assert fill_sessions(trades["ts"], DAYS).tolist() == [0]
    later = fills(("2024-06-12 19:30", "XYZ", "buy", 1, 100.0))  # after the close, same date
    assert fill_sessions(later["ts"], DAYS).tolist() == [2]
    equity = marked_equity(later, {"XYZ": price}, {"XYZ": price}, DAYS, CAPITAL)
    assert equity.index[0] == DAYS[2]


def test_a_split_while_holding_changes_nothing_but_the_share_count():
    # 2-for-1 split effective Wednesday: traded prices halve; the adjusted series does not jump
    raw = closes([100.0, 100.0, 50.0, 51.0, 52.0])
    adjusted = closes([50.0, 50.0, 50.0, 51.0, 52.0])
    trades = fills(
        ("2024-06-10 10:00", "XYZ", "buy", 10, 100.0),  # 10 shares before: 20 after the split
        ("2024-06-14 11:00", "XYZ", "sell", 20, 52.0),
    )
    equity = marked_equity(trades, {"XYZ": raw}, {"XYZ": adjusted}, DAYS, CAPITAL)
    assert equity.tolist() == pytest.approx([10_000, 10_000, 10_000, 10_020, 10_040])


def test_a_dividend_is_earned_as_if_reinvested():
    raw = closes([100.0, 98.0, 98.0])
    adjusted = closes([98.0, 98.0, 98.0])  # a 2.00 dividend, ex on Tuesday
    trades = fills(("2024-06-10 10:00", "XYZ", "buy", 1, 100.0))
    equity = marked_equity(trades, {"XYZ": raw}, {"XYZ": adjusted}, DAYS[:3], CAPITAL)
    assert equity.tolist() == pytest.approx([10_000, 10_000, 10_000])  # price drop = dividend


def test_shorts_fees_and_two_symbols():
    trades = fills(
        ("2024-06-10 10:00", "AAA", "sell_short", 5, 20.0),
        ("2024-06-11 10:00", "BBB", "buy", 2, 50.0),
        fee=1.0,
    )
    a, b = closes([19.0, 18.0]), closes([50.0, 55.0])
    equity = marked_equity(trades, {"AAA": a, "BBB": b}, {"AAA": a, "BBB": b}, DAYS[:2], CAPITAL)
    # Monday: +5 on the short, -1 fee; Tuesday: +10 on the short, +10 on BBB, two fees
    assert equity.tolist() == pytest.approx([10_004, 10_018])


def test_a_missing_close_while_holding_names_the_day():
    trades = fills(("2024-06-10 10:00", "XYZ", "buy", 1, 100.0))
    price = closes([100.0, np.nan, 101.0])
    with pytest.raises(LedgerError, match="XYZ: no close on 2024-06-11"):
        marked_equity(trades, {"XYZ": price}, {"XYZ": price}, DAYS[:3], CAPITAL)
    with pytest.raises(LedgerError, match="no unadjusted closes"):
        marked_equity(trades, {}, {"XYZ": price}, DAYS[:3], CAPITAL)


def test_capital_must_cover_the_losses_and_fills_must_be_settled():
    trades = fills(("2024-06-10 10:00", "XYZ", "sell", 100, 100.0))  # short, then a squeeze
    price = closes([100.0, 250.0])
    with pytest.raises(LedgerError, match="2024-06-11: the allotted capital is too small"):
        marked_equity(trades, {"XYZ": price}, {"XYZ": price}, DAYS[:2], CAPITAL)
    with pytest.raises(LedgerError, match="positive"):
        marked_equity(trades, {"XYZ": price}, {"XYZ": price}, DAYS[:2], 0.0)
    late = fills(("2024-06-18 10:00", "XYZ", "buy", 1, 100.0))
    with pytest.raises(LedgerError, match="later than the last settled session"):
        marked_equity(late, {"XYZ": price}, {"XYZ": price}, DAYS[:2], CAPITAL)


def test_no_fills_no_equity():
    empty = fills(("2024-06-10 10:00", "XYZ", "buy", 1, 1.0)).iloc[:0]
    assert marked_equity(empty, {}, {}, DAYS, CAPITAL).empty
