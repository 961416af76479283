"""Benchmarks: the known instruments, blends defined by weights, and the blended return series."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

# symbol: (name, asset class)
KNOWN = {
    "SPY": ("S&P 500 (SPDR S&P 500 ETF)", "equity"),
    "I:SPX": ("S&P 500 index", "equity"),
    "AGG": ("US aggregate bonds (iShares Core US Aggregate Bond ETF)", "bond"),
    "BND": ("US total bond market (Vanguard Total Bond Market ETF)", "bond"),
    "TLT": ("US Treasuries 20+ years (iShares 20+ Year Treasury Bond ETF)", "bond"),
    "IEF": ("US Treasuries 7-10 years (iShares 7-10 Year Treasury Bond ETF)", "bond"),
}
BLENDS = {"60/40": {"SPY": 0.6, "AGG": 0.4}}
SHORT_NAMES = {
    "SPY": "S&P 500",
    "I:SPX": "S&P 500",
    "AGG": "US aggregate bonds",
    "BND": "US total bond market",
    "TLT": "Treasuries 20y+",
    "IEF": "Treasuries 7–10y",
}
BLEND_BASE = 100.0  # a blend's level on its first common date


@dataclass(frozen=True)
class BenchmarkSpec:
    """One configured benchmark: an instrument, or a blend of instruments by weight."""

    symbol: str
    name: str
    asset_class: str = "equity"
    weights: dict[str, float] | None = field(default=None, hash=False)

    @property
    def is_blend(self) -> bool:
        """Whether this benchmark is computed from others."""
        return self.weights is not None


def parse_benchmark(text: str) -> BenchmarkSpec:
    """Parse "SPY", "60/40", or a custom blend "NAME=SPY:0.6,AGG:0.4" (daily rebalanced)."""
    text = text.strip()
    if "=" in text:
        symbol, _, members = text.partition("=")
        weights = {}
        for part in members.split(","):
            member, _, weight = part.partition(":")
            weights[member.strip().upper()] = float(weight)
        return _blend_spec(symbol.strip(), weights)
    if text in BLENDS:
        return _blend_spec(text, BLENDS[text])
    symbol = text.upper()
    name, asset_class = KNOWN.get(symbol, (symbol, "equity"))
    return BenchmarkSpec(symbol, name, asset_class)


def _blend_spec(symbol: str, weights: dict[str, float]) -> BenchmarkSpec:
    check_weights(weights)
    if not symbol or len(symbol) > 16:
        raise ValueError(f"blend name {symbol!r} must be 1 to 16 characters")
    label = " + ".join(f"{w:.0%} {m}" for m, w in weights.items())
    return BenchmarkSpec(symbol, f"Blend: {label}", "blend", dict(weights))


def parse_benchmarks(items: Iterable[str]) -> list[BenchmarkSpec]:
    """Parse every configured benchmark, adding the members of blends; instruments come first."""
    specs = {spec.symbol: spec for spec in map(parse_benchmark, items)}
    for spec in list(specs.values()):
        for member in spec.weights or {}:
            specs.setdefault(member, parse_benchmark(member))
    return sorted(specs.values(), key=lambda s: s.is_blend)


def check_weights(weights: dict[str, float]) -> None:
    """Weights must be finite, non-negative and sum to 1."""
    if not weights:
        raise ValueError("a blend needs at least one member")
    if any(not math.isfinite(w) or w < 0 for w in weights.values()):
        raise ValueError(f"blend weights must be finite and non-negative: {weights}")
    if abs(sum(weights.values()) - 1.0) > 1e-9:
        raise ValueError(f"blend weights must sum to 1, not {sum(weights.values()):g}")


def blend(closes: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """Daily-rebalanced blend: r_t = Σ w_i · r_i,t (simple returns), where every member closed.

    `closes` has one column of adjusted closes per member; the first common date has no return
    and is dropped, so the result starts at the second common date.
    """
    check_weights(weights)
    missing = [m for m in weights if m not in closes.columns]
    if missing:
        raise ValueError(f"closes lack blend member(s): {', '.join(missing)}")
    members = closes[list(weights)].dropna()
    returns = members.pct_change(fill_method=None).iloc[1:]
    weighted = returns.mul(pd.Series(weights)).sum(axis=1)
    return weighted.rename("ret")


def blend_levels(closes: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """The blend as an index level: BLEND_BASE on the first common date, compounding blend()."""
    returns = blend(closes, weights)
    first = closes[list(weights)].dropna().index[:1]
    levels = pd.concat([pd.Series(1.0, index=first), 1.0 + returns]).cumprod() * BLEND_BASE
    return levels.rename("close")


def short_label(symbol: str) -> str:
    """A legend-sized name: 'S&P 500 (SPY)' for a known instrument, else the symbol itself."""
    return f"{SHORT_NAMES[symbol]} ({symbol})" if symbol in SHORT_NAMES else symbol
