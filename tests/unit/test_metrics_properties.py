"""Hypothesis properties of the metrics that hold for any return series."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.metrics import METRICS, compute_metrics, drawdown_series

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# returns in whole basis points: realistic, and free of subnormal-float artefacts
cell = st.one_of(st.integers(-3000, 3000).map(lambda bp: bp / 10_000), st.just(np.nan))
values = st.lists(cell, min_size=1, max_size=120)
SCALE_FREE = (
    "sharpe",
    "sortino",
    "adjusted_sortino",
    "smart_sharpe",
    "omega",
    "risk_return_ratio",
    "profit_factor",
    "payoff_ratio",
    "win_days",
    "tail_ratio",
    "skew",
    "kurtosis",
    "probabilistic_sharpe",
    "autocorrelation",
)


def _series(xs: list[float], name: str = "s", start: str = "2020-01-01") -> pd.Series:
    return pd.Series(xs, index=pd.bdate_range(start, periods=len(xs)), name=name, dtype=float)


def _numeric(m: pd.Series) -> np.ndarray:
    return np.array([float(m[k]) for k in m.index if METRICS[k].unit != "date"])


@SETTINGS
@given(values, st.floats(0.1, 3.0))
def test_scale_free_ratios_do_not_change_when_returns_are_scaled(xs, c):
    r = _series(xs)
    base, scaled = compute_metrics(r)["s"], compute_metrics(r * c)["s"]
    for key in SCALE_FREE:
        a, b = float(base[key]), float(scaled[key])
        assert np.isnan(a) == np.isnan(b) or abs(a) < 1e-6, key
        if not np.isnan(a) and not np.isnan(b):
            assert np.isclose(a, b, rtol=1e-6, atol=1e-9), key


@SETTINGS
@given(values)
def test_drawdown_is_never_positive_and_bounded_by_the_worst_period(xs):
    r = _series(xs)
    dd = drawdown_series(r)["s"].dropna()
    assert (dd <= 0).all() and (dd >= -1).all()
    m = compute_metrics(r)["s"]
    if r.notna().any():
        assert m["max_drawdown"] <= min(0.0, r.min()) + 1e-12


@SETTINGS
@given(values, values, st.integers(0, 40))
def test_a_strategys_metrics_ignore_the_other_columns(xs, ys, shift):
    x = _series(xs, "x")
    y = _series(ys, "y", start=str((x.index[0] + pd.offsets.BDay(shift)).date()))
    bench = _series(list(np.linspace(-0.02, 0.03, len(xs) + shift)), "b")
    together = compute_metrics(pd.concat([x, y], axis=1), bench)["x"]
    alone = compute_metrics(x, bench)["x"]
    pd.testing.assert_series_equal(together, alone, check_names=False, rtol=1e-12)


@SETTINGS
@given(values)
def test_metrics_are_finite_or_nan_and_bounded(xs):
    m = compute_metrics(_series(xs), _series(list(np.linspace(-0.01, 0.01, len(xs)))))["s"]
    numbers = _numeric(m)
    assert not np.isinf(numbers).any()
    for key in ("win_days", "probabilistic_sharpe", "time_in_market", "r_squared"):
        assert np.isnan(m[key]) or 0 <= m[key] <= 1, key
    assert np.isnan(m["volatility"]) or m["volatility"] >= 0


@SETTINGS
@given(values, values)
def test_column_order_does_not_matter(xs, ys):
    frame = pd.concat([_series(xs, "x"), _series(ys, "y")], axis=1)
    forward = compute_metrics(frame)
    backward = compute_metrics(frame[["y", "x"]])
    pd.testing.assert_frame_equal(forward[["x", "y"]], backward[["x", "y"]], rtol=1e-12)
