"""Seeded return series shared by the metrics, comparison and checks tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

SEEDS = (3, 11, 42)
RF = 0.03  # annual, exercises the de-annualisation everywhere


def seeded_pair(seed: int, n: int = 800, start: str = "2018-01-02") -> tuple[pd.Series, pd.Series]:
    """Fat-tailed strategy and benchmark returns on business days; strategy has beta ≈ 0.6."""
    rng = np.random.default_rng(seed)
    index = pd.bdate_range(start, periods=n)
    bench = rng.standard_t(4, n) * 0.008 + 0.0003
    strat = 0.6 * bench + rng.standard_t(5, n) * 0.007 + 0.0002
    return pd.Series(strat, index, name="strategy"), pd.Series(bench, index, name="benchmark")


def ragged_frame(seed: int = 7, n: int = 900) -> pd.DataFrame:
    """Three strategies with different lives, interior gaps and a flat stretch."""
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2016-03-01", periods=n)
    frame = pd.DataFrame(rng.normal(0.0004, 0.01, (n, 3)), index=index, columns=["a", "b", "c"])
    frame.iloc[:200, 1] = np.nan  # b starts late
    frame.iloc[700:, 2] = np.nan  # c retires early
    frame.iloc[[50, 51, 300, 480], 0] = np.nan  # a has gaps
    frame.iloc[400:410, 2] = 0.0  # c is flat for two weeks
    return frame


def series(values: list[float], start: str = "2024-01-02") -> pd.Series:
    """A hand-written return series on consecutive business days."""
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)), name="s")
