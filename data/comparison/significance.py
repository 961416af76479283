"""Two-sample significance tests for live vs backtest returns, vectorised along axis 0."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
from scipy import stats

__all__ = [
    "TestOutcome",
    "holm",
    "kolmogorov_smirnov",
    "mann_whitney",
    "psr_test",
    "sharpe_difference_independent",
    "sharpe_difference_paired",
    "sharpe_std_error",
    "welch_t",
]


class TestOutcome(NamedTuple):
    """Statistic, p-value and effect size; arrays when the samples are (n, sims) matrices."""

    statistic: np.ndarray
    p_value: np.ndarray
    effect_size: np.ndarray


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence scipy's precision-loss and NaN warnings here; degenerate samples give NaN."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _sharpe(x: np.ndarray) -> np.ndarray:
    """Per-period Sharpe mean / σ (ddof = 1), NaN with zero spread."""
    sd = np.std(x, axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, np.mean(x, axis=0) / sd, np.nan)


def sharpe_std_error(x: np.ndarray) -> np.ndarray:
    """Std error of the per-period Sharpe with skew and raw kurtosis (Bailey & López de Prado)."""
    sr = _sharpe(x)
    with _quiet():
        g3 = stats.skew(x, axis=0, bias=False)
        g4 = stats.kurtosis(x, axis=0, bias=False) + 3.0
    term = 1.0 - g3 * sr + (g4 - 1.0) / 4.0 * sr**2
    with np.errstate(invalid="ignore"):
        return np.sqrt(np.where(term > 0, term, np.nan) / (x.shape[0] - 1))


def welch_t(live: np.ndarray, ref: np.ndarray) -> TestOutcome:
    """Welch's unequal-variance t-test on means; effect: Cohen's d on the average variance."""
    with _quiet():
        res = stats.ttest_ind(live, ref, axis=0, equal_var=False)
    pooled = np.sqrt((np.var(live, axis=0, ddof=1) + np.var(ref, axis=0, ddof=1)) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = (np.mean(live, axis=0) - np.mean(ref, axis=0)) / pooled
    return TestOutcome(res.statistic, res.pvalue, d)


def mann_whitney(live: np.ndarray, ref: np.ndarray) -> TestOutcome:
    """Mann–Whitney U (asymptotic, tie-corrected); effect: rank-biserial r = 2U/(n₁n₂) − 1."""
    with _quiet():
        res = stats.mannwhitneyu(live, ref, axis=0, method="asymptotic")
    r = 2 * res.statistic / (live.shape[0] * ref.shape[0]) - 1
    return TestOutcome(res.statistic, res.pvalue, r)


def kolmogorov_smirnov(live: np.ndarray, ref: np.ndarray) -> TestOutcome:
    """Two-sample Kolmogorov–Smirnov; the effect size is the statistic D itself."""
    with _quiet():
        res = stats.ks_2samp(live, ref, axis=0)
    return TestOutcome(res.statistic, res.pvalue, res.statistic)


def sharpe_difference_paired(
    live: np.ndarray, ref: np.ndarray, periods_per_year: float = 252
) -> TestOutcome:
    """Jobson–Korkie test with Memmel's correction on paired (same-date) returns.

    z = (SR₁ − SR₂) / √θ, θ = (2 − 2ρ + ½(SR₁² + SR₂² − 2·SR₁·SR₂·ρ²)) / T, per-period SRs.
    """
    t = live.shape[0]
    s1, s2 = _sharpe(live), _sharpe(ref)
    lc, rc = live - live.mean(axis=0), ref - ref.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = (lc * rc).sum(axis=0) / np.sqrt((lc * lc).sum(axis=0) * (rc * rc).sum(axis=0))
        theta = (2 - 2 * rho + 0.5 * (s1**2 + s2**2 - 2 * s1 * s2 * rho**2)) / t
        z = (s1 - s2) / np.sqrt(theta)
    return TestOutcome(z, 2 * stats.norm.sf(np.abs(z)), (s1 - s2) * np.sqrt(periods_per_year))


def sharpe_difference_independent(
    live: np.ndarray, ref: np.ndarray, periods_per_year: float = 252
) -> TestOutcome:
    """z-test of SR₁ − SR₂ for independent samples, each σ̂ with skew and kurtosis (Mertens)."""
    s1, s2 = _sharpe(live), _sharpe(ref)
    se = np.sqrt(sharpe_std_error(live) ** 2 + sharpe_std_error(ref) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 - s2) / se
    return TestOutcome(z, 2 * stats.norm.sf(np.abs(z)), (s1 - s2) * np.sqrt(periods_per_year))


def psr_test(live: np.ndarray, ref: np.ndarray, periods_per_year: float = 252) -> TestOutcome:
    """PSR of live against the reference Sharpe SR*; one-sided p = PSR = Φ((SR − SR*)/σ̂).

    A small PSR says live's true Sharpe is unlikely to reach the backtest's. SR* is treated
    as known, which holds when the backtest is much longer than the live record.
    """
    s1, target = _sharpe(live), _sharpe(ref)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 - target) / sharpe_std_error(live)
    return TestOutcome(z, stats.norm.cdf(z), (s1 - target) * np.sqrt(periods_per_year))


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values (NaN stays NaN and does not count as a test)."""
    p = np.asarray(p_values, dtype=float)
    valid = np.flatnonzero(~np.isnan(p))
    m = len(valid)
    adjusted = np.full_like(p, np.nan)
    order = valid[np.argsort(p[valid], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted
