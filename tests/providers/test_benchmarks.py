"""Benchmark specs and blends: known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from data.benchmarks import blend, blend_levels, parse_benchmark, parse_benchmarks

DAYS = pd.date_range("2024-01-02", periods=4, freq="B", tz="UTC")


def test_blend_is_the_weighted_sum_of_member_returns_rebalanced_daily():
    closes = pd.DataFrame({"SPY": [100, 110, 99, 99], "AGG": [50, 50, 55, 55]}, index=DAYS)
    returns = blend(closes, {"SPY": 0.6, "AGG": 0.4})
    assert list(returns.index) == list(DAYS[1:])
    assert returns.tolist() == pytest.approx([0.06, -0.06 + 0.04, 0.0])


def test_blend_uses_only_dates_where_every_member_closed():
    closes = pd.DataFrame({"SPY": [100, 110, 121, 121], "AGG": [50, None, 55, 55]}, index=DAYS)
    returns = blend(closes, {"SPY": 0.5, "AGG": 0.5})
    assert returns.iloc[0] == pytest.approx(0.5 * 0.21 + 0.5 * 0.1)  # Jan 2 -> Jan 4


def test_blend_levels_start_at_100():
    closes = pd.DataFrame({"SPY": [100, 110], "AGG": [50, 50]}, index=DAYS[:2])
    assert blend_levels(closes, {"SPY": 0.5, "AGG": 0.5}).tolist() == pytest.approx([100, 105])


@pytest.mark.parametrize("weights", [{"SPY": 0.6, "AGG": 0.5}, {"SPY": -0.2, "AGG": 1.2}, {}])
def test_blend_refuses_bad_weights(weights):
    closes = pd.DataFrame({"SPY": [1.0, 2.0], "AGG": [1.0, 2.0]}, index=DAYS[:2])
    with pytest.raises(ValueError):
        blend(closes, weights)


def test_parse_benchmarks_adds_blend_members_first():
    specs = parse_benchmarks(["60/40", "TLT", "Bonds=IEF:0.5,TLT:0.5"])
    assert [s.symbol for s in specs] == ["TLT", "SPY", "AGG", "IEF", "60/40", "Bonds"]
    blends = {s.symbol: s.weights for s in specs if s.is_blend}
    assert blends == {"60/40": {"SPY": 0.6, "AGG": 0.4}, "Bonds": {"IEF": 0.5, "TLT": 0.5}}


def test_parse_benchmark_knows_the_defaults():
    assert parse_benchmark("spy").name.startswith("S&P 500")
    assert parse_benchmark("AGG").asset_class == "bond"
