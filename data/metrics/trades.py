"""Trade-based statistics, kept apart from the period-based ones computed on returns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .panel import safe_div
from .winloss import longest_streak

__all__ = ["TRADE_KEYS", "trade_metrics", "validate_trades"]

TRADE_KEYS = (
    "trade_count",
    "trade_net_pnl",
    "trade_win_rate",
    "trade_profit_factor",
    "trade_expectancy",
    "trade_payoff_ratio",
    "trade_avg_win",
    "trade_avg_loss",
    "trade_largest_win",
    "trade_largest_loss",
    "trade_avg_holding_days",
    "trade_max_consecutive_wins",
    "trade_max_consecutive_losses",
)


def validate_trades(trades: pd.DataFrame) -> pd.DataFrame:
    """Check the trades schema and order each strategy's trades by exit time when known.

    Required columns: ``strategy`` (a returns column label) and ``pnl`` (net profit per closed
    trade, in account currency). Optional: ``entry_time`` and ``exit_time`` (timestamps) for
    holding time; trades are ordered by ``exit_time`` when present, else kept in input order.
    """
    missing = {"strategy", "pnl"} - set(trades.columns)
    if missing:
        raise ValueError(f"trades need columns {sorted(missing)}")
    pnl = pd.to_numeric(trades["pnl"], errors="coerce")
    if pnl.isna().any() or np.isinf(pnl).any():
        raise ValueError("trades.pnl must be finite numbers")
    out = trades.assign(pnl=pnl.astype(float))
    if "exit_time" in out.columns:
        out = out.sort_values("exit_time", kind="stable")
    return out


def _one_strategy(t: pd.DataFrame) -> dict[str, float]:
    """Statistics of one strategy's closed trades."""
    pnl = t["pnl"].to_numpy()
    wins, losses = pnl[pnl > 0], pnl[pnl < 0]
    avg_win = wins.mean() if len(wins) else np.nan
    avg_loss = losses.mean() if len(losses) else np.nan
    held = np.nan
    if {"entry_time", "exit_time"} <= set(t.columns):
        span = pd.to_datetime(t["exit_time"]) - pd.to_datetime(t["entry_time"])
        held = span.dt.total_seconds().mean() / 86400.0
    return {
        "trade_count": float(len(pnl)),
        "trade_net_pnl": pnl.sum(),
        "trade_win_rate": len(wins) / len(pnl),
        "trade_profit_factor": float(safe_div(wins.sum(), -losses.sum())),
        "trade_expectancy": pnl.mean(),
        "trade_payoff_ratio": float(safe_div(avg_win, abs(avg_loss))),
        "trade_avg_win": avg_win,
        "trade_avg_loss": avg_loss,
        "trade_largest_win": wins.max() if len(wins) else np.nan,
        "trade_largest_loss": losses.min() if len(losses) else np.nan,
        "trade_avg_holding_days": held,
        "trade_max_consecutive_wins": float(longest_streak((pnl > 0)[:, None])[0]),
        "trade_max_consecutive_losses": float(longest_streak((pnl < 0)[:, None])[0]),
    }


def trade_metrics(trades: pd.DataFrame, strategies: pd.Index) -> dict[str, np.ndarray]:
    """Trade statistics per strategy, aligned on `strategies`; a strategy without trades has
    trade_count 0 and NaN elsewhere. Win rate counts break-even trades in the denominator."""
    trades = validate_trades(trades)
    out = {key: np.full(len(strategies), np.nan) for key in TRADE_KEYS}
    out["trade_count"] = np.zeros(len(strategies))
    position = {name: i for i, name in enumerate(strategies)}
    unknown = set(trades["strategy"]) - set(position)
    if unknown:
        raise ValueError(f"trades name strategies not in returns: {sorted(map(str, unknown))[:5]}")
    for name, group in trades.groupby("strategy", sort=False):
        for key, value in _one_strategy(group).items():
            out[key][position[name]] = value
    return out
