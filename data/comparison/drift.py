"""Two-sided CUSUM drift detector with a threshold set for a false-alarm rate over the window."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq
from scipy.stats import norm

__all__ = ["DRIFT_K", "DriftResult", "cusum", "cusum_threshold", "false_alarm_rate"]

DRIFT_K = 0.25  # reference value: tuned to a shift of 2k = 0.5 standard deviations


def _survival(h: float, n: int, k: float, states: int = 150) -> float:
    """P(no one-sided alarm within n periods) for N(0, 1) data (Brook & Evans Markov chain)."""
    w = h / states
    centre = np.r_[0.0, (np.arange(1, states + 1) - 0.5) * w]  # state 0 is the atom S = 0
    edges = np.arange(states + 1) * w
    cdf = norm.cdf(edges[None, :] + k - centre[:, None])  # P(S' ≤ edge | S = centre)
    q = np.diff(cdf, axis=1, prepend=0.0)  # mass beyond h is absorbed: the alarm
    return float(np.linalg.matrix_power(q, n)[0].sum())


def false_alarm_rate(h: float, n: int, k: float = DRIFT_K) -> float:
    """P(the two-sided CUSUM alarms within n periods | no drift), sides taken as independent."""
    return 1.0 - _survival(h, n, k) ** 2


def cusum_threshold(n: int, alpha: float = 0.05, k: float = DRIFT_K) -> float:
    """Threshold h with P(any alarm within n periods | no drift) = alpha, for N(0, 1) data."""
    if n < 1:
        raise ValueError("the window needs at least one period")
    return float(brentq(lambda h: false_alarm_rate(h, n, k) - alpha, 0.5, 60.0, xtol=1e-4))


class DriftResult(NamedTuple):
    """First alarm row and estimated onset row (−1 when no alarm), per series."""

    alarm: np.ndarray
    onset: np.ndarray
    peak: np.ndarray
    threshold: float


def cusum(z: np.ndarray, alpha: float = 0.05, k: float = DRIFT_K) -> DriftResult:
    """Page's two-sided CUSUM on standardised z (rows = time; columns = independent series).

    S⁺ₜ = max(0, S⁺ₜ₋₁ + zₜ − k), S⁻ₜ = max(0, S⁻ₜ₋₁ − zₜ − k); the alarm is the first t with
    S > h, and the onset is the row after the alarming side last stood at zero.
    """
    z = np.asarray(z, dtype=float)
    z2 = z.reshape(len(z), -1)
    h = cusum_threshold(len(z2), alpha, k)
    hi, lo = np.zeros(z2.shape[1]), np.zeros(z2.shape[1])
    zero_hi, zero_lo = np.full(z2.shape[1], -1), np.full(z2.shape[1], -1)
    alarm, onset, peak = np.full(z2.shape[1], -1), np.full(z2.shape[1], -1), np.zeros(z2.shape[1])
    for t, row in enumerate(np.nan_to_num(z2)):
        hi = np.maximum(0.0, hi + row - k)
        lo = np.maximum(0.0, lo - row - k)
        zero_hi = np.where(hi == 0, t, zero_hi)
        zero_lo = np.where(lo == 0, t, zero_lo)
        peak = np.maximum(peak, np.maximum(hi, lo))
        fire = (alarm < 0) & ((hi > h) | (lo > h))
        alarm = np.where(fire, t, alarm)
        onset = np.where(fire, np.where(hi > h, zero_hi, zero_lo) + 1, onset)
    shape = z.shape[1:]
    return DriftResult(alarm.reshape(shape), onset.reshape(shape), peak.reshape(shape), h)
