"""Benchmark compute_metrics against QuantStats, empyrical and a bare NumPy pass (not a test).

Run: .venv/bin/python tests/benchmarks/bench_metrics.py [--quick]

Same seeded data for everyone: 10 years (2,520 days) of fat-tailed daily returns for 1, 100
and 1,000 strategies plus a benchmark. Timings are medians of several runs. QuantStats' full
report takes about 0.7 s per strategy, so it is timed on a sample of columns and scaled
linearly to the full count (the output says so); empyrical loops over every column.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from data.metrics import compute_metrics

P = 252
# the metrics empyrical also computes; "core" rows are timed against it and against NumPy
CORE = (
    "total_return", "cagr", "volatility", "sharpe", "sortino", "downside_deviation", "omega",
    "calmar", "max_drawdown", "tail_ratio", "value_at_risk", "cvar", "skew", "kurtosis",
    "stability", "alpha", "beta", "up_capture", "down_capture",
)  # fmt: skip


def make_data(n_strategies: int, days: int = 2520, seed: int = 7):
    """Seeded Student-t(5) returns, beta ≈ 0.5 to a benchmark, on business days."""
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2014-01-02", periods=days)
    bench = rng.standard_t(5, days) * 0.008 + 0.0003
    noise = rng.standard_t(5, (days, n_strategies)) * 0.008 + 0.0002
    frame = pd.DataFrame(0.5 * bench[:, None] + noise, index=index)
    frame.columns = [f"s{i:04d}" for i in range(n_strategies)]
    return frame, pd.Series(bench, index=index, name="benchmark")


def numpy_core(r: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """The CORE metrics, written plainly over the whole matrix: complete data, no checks."""
    n = r.shape[0]
    mean, sd = r.mean(axis=0), r.std(axis=0, ddof=1)
    equity = np.cumprod(1 + r, axis=0)
    mdd = (equity / np.maximum.accumulate(np.maximum(equity, 1.0), axis=0) - 1).min(axis=0)
    growth = equity[-1]
    cagr = growth ** (P / n) - 1
    down = np.sqrt((np.minimum(r, 0) ** 2).mean(axis=0)) * np.sqrt(P)
    q5, q95 = np.percentile(r, [5, 95], axis=0)
    k = int((n - 1) * 0.05) + 1
    d = r - mean
    m2, m3, m4 = (d**2).mean(axis=0), (d**3).mean(axis=0), (d**4).mean(axis=0)
    y = np.cumsum(np.log1p(r), axis=0)
    x = np.arange(n) - (n - 1) / 2
    yc = y - y.mean(axis=0)
    bc = b - b.mean()
    beta = bc @ d / (bc @ bc)
    up, dn = b > 0, b < 0
    return {
        "total_return": growth - 1,
        "cagr": cagr,
        "volatility": sd * np.sqrt(P),
        "sharpe": mean / sd * np.sqrt(P),
        "sortino": mean * P / down,
        "downside_deviation": down,
        "omega": np.maximum(r, 0).sum(axis=0) / np.maximum(-r, 0).sum(axis=0),
        "calmar": cagr / np.abs(mdd),
        "max_drawdown": mdd,
        "tail_ratio": np.abs(q95) / np.abs(q5),
        "value_at_risk": q5,
        "cvar": np.partition(r, k - 1, axis=0)[:k].mean(axis=0),
        "skew": m3 / m2**1.5,
        "kurtosis": m4 / m2**2 - 3,
        "stability": (x @ yc) ** 2 / ((x @ x) * (yc * yc).sum(axis=0)),
        "alpha": (1 + mean - beta * b.mean()) ** P - 1,
        "beta": beta,
        "up_capture": _capture(r[up], b[up]),
        "down_capture": _capture(r[dn], b[dn]),
    }


def _capture(r: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Annualised strategy return over annualised benchmark return on the selected days."""
    return (np.prod(1 + r, axis=0) ** (P / len(b)) - 1) / (np.prod(1 + b) ** (P / len(b)) - 1)


def empyrical_core(frame: pd.DataFrame, bench: pd.Series) -> None:
    """The CORE metrics with empyrical-reloaded, one column at a time."""
    import empyrical as em
    from scipy import stats

    for col in frame:
        r = frame[col]
        em.cum_returns_final(r), em.annual_return(r), em.annual_volatility(r)
        em.sharpe_ratio(r), em.sortino_ratio(r), em.downside_risk(r), em.omega_ratio(r)
        em.calmar_ratio(r), em.max_drawdown(r), em.tail_ratio(r), em.value_at_risk(r)
        em.conditional_value_at_risk(r), stats.skew(r), stats.kurtosis(r)
        em.stability_of_timeseries(r), em.alpha_beta(r, bench)
        em.up_capture(r, bench), em.down_capture(r, bench)


def quantstats_full(frame: pd.DataFrame, bench: pd.Series) -> None:
    """QuantStats' full metrics report, one column at a time."""
    import quantstats as qs

    for col in frame:
        qs.reports.metrics(frame[col], bench, mode="full", display=False)


def median_time(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of `repeats` calls, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(sizes: tuple[int, ...], qs_sample: int, repeats: int) -> list[dict[str, float]]:
    """Time every contender at each size; QuantStats on a sample, scaled to the full count."""
    rows = []
    for k in sizes:
        frame, bench = make_data(k)
        r, b = frame.to_numpy(), bench.to_numpy()
        sample = frame.iloc[:, : min(k, qs_sample)]
        row = {"strategies": k}
        row["ours_full"] = median_time(partial(compute_metrics, frame, bench), repeats)
        row["ours_core"] = median_time(partial(compute_metrics, frame, bench, keys=CORE), repeats)
        row["numpy_core"] = median_time(partial(numpy_core, r, b), repeats)
        row["empyrical"] = median_time(partial(empyrical_core, frame, bench), 1 if k > 100 else 3)
        qs_time = median_time(partial(quantstats_full, sample, bench), 1 if k > 1 else 3)
        row["quantstats"] = qs_time * k / sample.shape[1]
        row["qs_sampled"] = sample.shape[1]
        rows.append(row)
        print(_line(row), flush=True)
    return rows


HEADER = (
    f"{'strategies':>10} | {'ours full':>10} | {'ours core':>10} | {'NumPy core':>10} | "
    f"{'empyrical':>10} | {'QS full':>12} | {'QS/ours':>8} | {'EM/core':>8} | "
    f"{'core/NumPy':>10} | {'full/NumPy':>10}"
)


def _line(row: dict[str, float]) -> str:
    """One table row: seconds, then ratios."""
    qs_note = "*" if row["qs_sampled"] < row["strategies"] else " "
    return (
        f"{row['strategies']:>10} | {row['ours_full']:>9.4f}s | {row['ours_core']:>9.4f}s | "
        f"{row['numpy_core']:>9.4f}s | {row['empyrical']:>9.3f}s | "
        f"{row['quantstats']:>10.1f}s{qs_note} | {row['quantstats'] / row['ours_full']:>7.0f}x | "
        f"{row['empyrical'] / row['ours_core']:>7.0f}x | "
        f"{row['ours_core'] / row['numpy_core']:>9.2f}x | {row['ours_full'] / row['numpy_core']:>9.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1, 10 and 100 strategies only")
    parser.add_argument("--qs-sample", type=int, default=20, help="columns QuantStats runs on")
    parser.add_argument("--repeats", type=int, default=7, help="runs per median")
    args = parser.parse_args()
    sizes = (1, 10, 100) if args.quick else (1, 100, 1000)
    qs_sample = min(args.qs_sample, 5) if args.quick else args.qs_sample
    warnings.simplefilter("ignore")  # third-party deprecation chatter would garble the table
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )
    print(
        f"10 years x 2,520 days; medians of {args.repeats} runs; QuantStats on {qs_sample} columns"
    )
    print(f"core = {len(CORE)} metrics shared with empyrical;", end=" ")
    print("full = all 95 metrics computed from returns and a benchmark\n")
    print(HEADER)
    print("-" * len(HEADER))
    rows = run(sizes, qs_sample, args.repeats)
    if any(row["qs_sampled"] < row["strategies"] for row in rows):
        print("\n* QuantStats timed on a sample of columns and scaled linearly to all strategies.")


if __name__ == "__main__":
    main()
