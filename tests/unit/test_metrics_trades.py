"""Trade statistics: computed only from trades, per strategy, kept apart from period stats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.metrics import METRICS, compute_metrics
from tests.unit.metrics_fixtures import ragged_frame


@pytest.fixture(scope="module")
def result():
    t0 = pd.Timestamp("2024-01-02 09:30")
    hours = [24, 48, 6, 72, 12]  # holding times
    exits = [t0 + pd.Timedelta(days=d) for d in (5, 1, 3, 9, 7)]  # given out of order
    trades = pd.DataFrame(
        {
            "strategy": ["a"] * 5 + ["b"],
            "pnl": [100.0, -50.0, 0.0, 200.0, -25.0, 10.0],
            "exit_time": [*exits, t0],
            "entry_time": [
                *(e - pd.Timedelta(hours=h) for e, h in zip(exits, hours, strict=True)),
                t0,
            ],
        }
    )
    return compute_metrics(ragged_frame(), trades=trades)


def test_trade_statistics_by_hand(result):
    a = result["a"]
    assert a["trade_count"] == 5
    assert a["trade_net_pnl"] == pytest.approx(225.0)
    assert a["trade_win_rate"] == pytest.approx(2 / 5)  # the break-even trade is not a win
    assert a["trade_profit_factor"] == pytest.approx(300 / 75)
    assert a["trade_expectancy"] == pytest.approx(45.0)
    assert a["trade_avg_win"] == pytest.approx(150.0)
    assert a["trade_avg_loss"] == pytest.approx(-37.5)
    assert a["trade_payoff_ratio"] == pytest.approx(4.0)
    assert a["trade_largest_win"] == 200.0
    assert a["trade_largest_loss"] == -50.0
    assert a["trade_avg_holding_days"] == pytest.approx(np.mean([24, 48, 6, 72, 12]) / 24)


def test_streaks_follow_exit_time(result):
    # by exit: −50 (day 1), 0 (day 3), +100 (day 5), −25 (day 7), +200 (day 9)
    assert result.loc["trade_max_consecutive_wins", "a"] == 1
    assert result.loc["trade_max_consecutive_losses", "a"] == 1


def test_strategies_without_trades_and_without_losses(result):
    assert result.loc["trade_count", "c"] == 0
    assert np.isnan(result.loc["trade_win_rate", "c"])
    assert np.isnan(result.loc["trade_profit_factor", "b"])  # no losing trade: NaN, not inf


def test_trade_rows_are_separate_from_period_rows(result):
    trade_rows = [k for k in result.index if METRICS[k].group == "Trades"]
    assert all(k.startswith("trade_") for k in trade_rows)
    without = compute_metrics(ragged_frame())
    assert not any(METRICS[k].group == "Trades" for k in without.index)
    pd.testing.assert_frame_equal(result.drop(index=trade_rows), without)


@pytest.mark.parametrize(
    ("trades", "message"),
    [
        (pd.DataFrame({"strategy": ["a"]}), "pnl"),
        (pd.DataFrame({"strategy": ["a"], "pnl": [np.inf]}), "finite"),
        (pd.DataFrame({"strategy": ["zz"], "pnl": [1.0]}), "not in returns"),
    ],
)
def test_bad_trades_are_refused(trades, message):
    with pytest.raises(ValueError, match=message):
        compute_metrics(ragged_frame(), trades=trades)
