"""Backtest vs live: tests, bootstrap intervals, drift and a documented verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from data.metrics.frequency import period_noun
from data.metrics.panel import as_panel

from . import significance as sig
from .bootstrap import STATISTICS, bootstrap_intervals
from .drift import cusum
from .periods import on_common_periods

__all__ = ["MIN_OBS", "BootstrapCI", "Comparison", "TestResult", "compare", "verdict"]

MIN_OBS = 20  # fewer live (or overlapping) observations than this and tests are not run
FAMILY = (
    "welch_t",
    "mann_whitney",
    "kolmogorov_smirnov",
    "sharpe_difference",
    "probabilistic_sharpe",
)


@dataclass(frozen=True)
class TestResult:
    """One significance test: statistic, p-value, effect size and decision at alpha."""

    name: str
    statistic: float
    p_value: float
    effect_size: float
    reject: bool
    note: str


@dataclass(frozen=True)
class BootstrapCI:
    """Bootstrap interval (estimate ± z·SE*) for live − backtest of an annualised statistic."""

    name: str
    estimate: float
    std_error: float
    low: float
    high: float
    level: float

    @property
    def excludes_zero(self) -> bool:
        """True when 0 lies outside [low, high]."""
        return bool(self.low > 0 or self.high < 0)


@dataclass(frozen=True)
class Comparison:
    """Everything compare() found, ready to render or serialise."""

    n_live: int
    n_reference: int
    n_overlap: int
    tests: tuple[TestResult, ...]
    bootstrap: tuple[BootstrapCI, ...]
    psr: float
    tracking_error: float
    correlation: float
    drift_start: pd.Timestamp | None
    drift_alarm: pd.Timestamp | None
    verdict: str
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        """JSON-ready dict: floats (NaN → None), ISO dates, lists."""
        return _jsonable(asdict(self))


def _jsonable(value):
    """Recursively turn NaN into None, timestamps into ISO strings, tuples into lists."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.bool_ | np.integer):
        return value.item()
    return value


def _series(returns: pd.Series, name: str) -> pd.Series:
    """Validated, gap-free return series."""
    p = as_panel(returns)
    if p.shape[1] != 1:
        raise ValueError(f"{name} must be one return series")
    index = p.index
    if isinstance(index, pd.DatetimeIndex) and index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)  # so aware and naive dates still pair
    return pd.Series(p.values[:, 0], index=index).dropna()


def compare(
    live: pd.Series,
    backtest: pd.Series,
    *,
    alpha: float = 0.05,
    periods_per_year: float | None = 252,
    n_boot: int = 2000,
    rng: np.random.Generator | int | None = 0,
) -> Comparison:
    """Is live (or paper) trading consistent with its backtest?

    Distribution tests compare live returns with the backtest's returns on dates outside the
    live record (the whole backtest if fewer than MIN_OBS remain): Welch t (means),
    Mann–Whitney U, two-sample Kolmogorov–Smirnov, and the PSR of live against the backtest
    Sharpe (one-sided). The Sharpe-difference test is Jobson–Korkie with Memmel's correction on
    overlapping dates when there are MIN_OBS of them, else an independent-samples z-test.
    Bootstrap intervals cover the live − backtest differences in annualised mean, volatility
    and Sharpe at level 1 − alpha: estimate ± z·SE*, SE* from a stationary bootstrap of each
    sample (Politis–White block length, seeded by `rng`).
    The drift detector is a two-sided CUSUM (k = 0.25) on overlapping-date differences
    standardised by their std — or, without overlap, on live returns standardised by the
    backtest's mean and std — with thresholds set for a false-alarm rate over the whole window
    of alpha / 2 (reported as drift_alarm, with drift_start the estimated onset) and of alpha
    (an early signal).

    Verdict rules (alpha is split so that a record with no divergence is called diverging
    with probability at most about alpha):
      diverging — a test in the family (Welch, Mann–Whitney, KS, Sharpe difference, PSR)
        rejects at alpha / 2 after Holm's correction, or the CUSUM alarms at alpha / 2, or
        live returns are constant while the backtest's vary (not trading, or stale data);
      watch — not diverging, but a test rejects at alpha before correction, a bootstrap
        interval excludes 0, the CUSUM gives an early signal at alpha, or there are fewer
        than MIN_OBS live observations, or no test could run (too short or a constant backtest);
      consistent — otherwise.
    """
    if not 0.0 < alpha < 0.5:
        raise ValueError(f"alpha must be between 0 and 0.5 (e.g. 0.05), not {alpha!r}")
    live_s, bt_s = _series(live, "live"), _series(backtest, "backtest")
    if periods_per_year is None:  # read from the records; the finer compounded to the coarser
        live_s, bt_s, periods_per_year = on_common_periods(live_s, bt_s)
    overlap = live_s.index.intersection(bt_s.index)
    ref = bt_s.drop(overlap)
    if len(ref) < MIN_OBS:
        ref = bt_s
    lv, rv = live_s.to_numpy(), ref.to_numpy()
    paired = (live_s[overlap].to_numpy(), bt_s[overlap].to_numpy())
    has_pairs = len(overlap) >= MIN_OBS
    enough = len(lv) >= MIN_OBS and len(rv) >= MIN_OBS and np.ptp(lv) > 0 and np.ptp(rv) > 0
    tests = _tests(lv, rv, paired if has_pairs else None, alpha, periods_per_year) if enough else ()
    boot = _intervals(lv, rv, alpha, periods_per_year, n_boot, rng) if enough else ()
    te, corr = _tracking(*paired, periods_per_year) if has_pairs else (np.nan, np.nan)
    start, alarm, early = _drift(live_s, bt_s, ref, overlap, alpha) if enough else (None,) * 3
    outcome, reasons = verdict(tests, boot, alarm, start, len(lv), alpha, early)
    if not enough and outcome == "consistent":  # nothing was tested: not a clean bill of health
        outcome, reasons = "watch", (_untested(rv),)
    if len(lv) >= MIN_OBS and len(rv) >= MIN_OBS and np.ptp(lv) == 0 and np.ptp(rv) > 0:
        # the tests need spread, but a flat record against a live backtest is itself divergence
        outcome, noun = "diverging", period_noun(periods_per_year)
        reasons = (
            f"live returns are constant ({lv[0]:.4%} a {noun} over {len(lv)} {noun}s) while the "
            "backtest's vary: not trading, or stale data",
        )
    psr = next((t.p_value for t in tests if t.name == "probabilistic_sharpe"), np.nan)
    return Comparison(
        len(lv), len(rv), len(overlap), tests, boot, psr, te, corr, start, alarm, outcome, reasons
    )


def _untested(rv: np.ndarray) -> str:
    """Why no test could run when the live record itself was long enough."""
    if len(rv) < MIN_OBS:
        return f"only {len(rv)} backtest observations; tests need {MIN_OBS}"
    return "backtest returns are constant: no test can compare live trading with them"


def _tests(lv, rv, paired, alpha: float, P: float) -> tuple[TestResult, ...]:
    """The test family, each decided at alpha before any multiplicity correction."""
    if paired is not None:
        jk = sig.sharpe_difference_paired(*paired, P)
        jk_note = f"Jobson–Korkie–Memmel on {len(paired[0])} overlapping dates"
    else:
        jk = sig.sharpe_difference_independent(lv, rv, P)
        jk_note = "independent samples, standard errors with skew and kurtosis"
    outcomes = {
        "welch_t": (sig.welch_t(lv, rv), "difference in means; effect: Cohen's d"),
        "mann_whitney": (sig.mann_whitney(lv, rv), "effect: rank-biserial correlation"),
        "kolmogorov_smirnov": (sig.kolmogorov_smirnov(lv, rv), "any distribution change"),
        "sharpe_difference": (jk, jk_note + "; effect: annualised SR difference"),
        "probabilistic_sharpe": (
            sig.psr_test(lv, rv, P),
            "one-sided, p = PSR(SR* = backtest SR); effect: annualised SR difference",
        ),
    }
    return tuple(
        TestResult(
            name,
            float(o.statistic),
            float(o.p_value),
            float(o.effect_size),
            bool(o.p_value < alpha),
            note,
        )
        for name, (o, note) in outcomes.items()
    )


def _intervals(lv, rv, alpha, P, n_boot, rng) -> tuple[BootstrapCI, ...]:
    """Bootstrap intervals of live − backtest differences at level 1 − alpha."""
    out = bootstrap_intervals(lv, rv, np.random.default_rng(rng), n_boot, alpha, P)
    return tuple(
        BootstrapCI(name, float(est), float(se), float(low), float(high), 1 - alpha)
        for name, est, se, low, high in zip(STATISTICS, *out, strict=True)
    )


def _tracking(live: np.ndarray, bt: np.ndarray, P: float) -> tuple[float, float]:
    """Annualised tracking error and correlation on overlapping dates."""
    te = float(np.std(live - bt, ddof=1) * np.sqrt(P))
    if np.std(live) == 0 or np.std(bt) == 0:
        return te, np.nan
    return te, float(np.corrcoef(live, bt)[0, 1])


def _drift(live_s, bt_s, ref, overlap, alpha):
    """(onset, alarm) of the CUSUM at alpha / 2, and the alarm date at alpha if only it fires."""
    if len(overlap) >= MIN_OBS:
        d = live_s[overlap] - bt_s[overlap]
        scale = d.std(ddof=1)
        z = d / scale if scale > 0 else d * 0.0
    else:
        z = (live_s - ref.mean()) / ref.std(ddof=1)
    strict, loose = cusum(z.to_numpy(), alpha / 2), cusum(z.to_numpy(), alpha)
    if strict.alarm >= 0:
        return z.index[int(strict.onset)], z.index[int(strict.alarm)], None
    early = z.index[int(loose.alarm)] if loose.alarm >= 0 else None
    return None, None, early


def verdict(
    tests: Sequence[TestResult],
    intervals: Sequence[BootstrapCI],
    alarm: pd.Timestamp | None,
    start: pd.Timestamp | None,
    n_live: int,
    alpha: float = 0.05,
    early_alarm: pd.Timestamp | None = None,
) -> tuple[str, tuple[str, ...]]:
    """The verdict and its reasons under the rules documented in compare()."""
    adjusted = sig.holm(np.array([t.p_value for t in tests])) if tests else np.array([])
    strong = [
        f"{t.name}: p = {t.p_value:.4g}, Holm-adjusted {a:.4g} < {alpha / 2:g}"
        for t, a in zip(tests, adjusted, strict=True)
        if a < alpha / 2
    ]
    if alarm is not None:
        strong.append(f"drift: CUSUM alarm on {alarm.date()}, divergence from {start.date()}")
    if strong:
        return "diverging", tuple(strong)
    weak = [
        f"{t.name}: p = {t.p_value:.4g} < {alpha} uncorrected" for t in tests if t.p_value < alpha
    ]
    weak += [
        f"bootstrap {b.name}: interval [{b.low:.4g}, {b.high:.4g}] excludes 0"
        for b in intervals
        if b.excludes_zero
    ]
    if early_alarm is not None:
        weak.append(
            f"drift: early CUSUM signal on {early_alarm.date()} (at {alpha:g}, not {alpha / 2:g})"
        )
    if n_live < MIN_OBS:
        weak.append(f"only {n_live} live observations; tests need {MIN_OBS}")
    if weak:
        return "watch", tuple(weak)
    return "consistent", ("no test rejects, no bootstrap interval excludes 0, no drift alarm",)
