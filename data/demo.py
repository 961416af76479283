"""Demo data: a seeded, reproducible book of strategies and benchmarks on the real NYSE calendar."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from data.calendar import last_trading_day, trading_days
from data.schema import Source, Stage
from data.versions import Change
from data.writes import (
    ensure_benchmark,
    ensure_strategy,
    write_bars,
    write_performance,
    write_trades,
)

BENCHMARKS = {  # symbol: (name, asset class, annual drift, annual vol)
    "SPY": ("S&P 500 (SPDR ETF)", "equity", 0.09, 0.17),
    "AGG": ("US Aggregate Bond (iShares ETF)", "bond", 0.03, 0.055),
}
STYLES = [
    "momentum",
    "mean-reversion",
    "stat-arb",
    "trend",
    "carry",
    "volatility",
    "macro",
    "market-neutral",
]
STAGES = (
    [Stage.LIVE] * 8
    + [Stage.PAPER] * 5
    + [Stage.BACKTEST] * 6
    + [Stage.RESEARCH] * 3
    + [Stage.RETIRED] * 2
)
NAMES = [
    "Atlas",
    "Borealis",
    "Cobalt",
    "Drift",
    "Ember",
    "Fathom",
    "Granite",
    "Halcyon",
    "Ion",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Onyx",
    "Pinnacle",
    "Quartz",
    "Riverbend",
    "Sable",
    "Tidewater",
    "Umbra",
    "Vertex",
    "Willow",
    "Zephyr",
]
UNIVERSE = [
    "AAPL",
    "MSFT",
    "NVDA",
    "AMZN",
    "GOOGL",
    "META",
    "JPM",
    "XOM",
    "TLT",
    "GLD",
    "IWM",
    "EEM",
]
YEARS_OF_BENCHMARK = 12


@dataclass(frozen=True)
class DemoStrategy:
    """One generated strategy with its series (source -> frame of equity, ret) and trades."""

    slug: str
    name: str
    stage: Stage
    style: str
    tags: list[str]
    description: str
    series: dict[Source, pd.DataFrame] = field(default_factory=dict)
    trades: dict[Source, pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoBook:
    """Everything the demo writes."""

    bars: dict[str, pd.DataFrame]
    strategies: list[DemoStrategy]


def generate(
    seed: int = 7, end: pd.Timestamp | str | None = None, strategies: int = len(NAMES)
) -> DemoBook:
    """Build the demo book for sessions up to `end` (default: the last NYSE session up to today).

    `strategies` beyond the 24 named ones repeat the names with a number ('Atlas Momentum 2'),
    for trying the dashboard with a larger book; the first 24 are the same whatever the count.
    """
    if not 1 <= strategies <= 1000:
        raise ValueError(f"strategies must be from 1 to 1000, not {strategies}")
    rng = np.random.default_rng(seed)
    last = last_trading_day(end if end is not None else pd.Timestamp.now(tz="UTC"))
    days = trading_days(last - pd.DateOffset(years=YEARS_OF_BENCHMARK), last)
    market = _benchmark_returns(rng, len(days))
    bars = {s: _bars(rng, days, market[s]) for s in BENCHMARKS}
    book = [_strategy(rng, i, days, market) for i in range(strategies)]
    return DemoBook(bars, book)


def load(session: Session, book: DemoBook) -> Change:
    """Write the whole book in the caller's transaction; a second load changes nothing."""
    change = Change()
    for symbol, frame in book.bars.items():
        name, asset_class, *_ = BENCHMARKS[symbol]
        benchmark, created = ensure_benchmark(session, symbol, name=name, asset_class=asset_class)
        change |= created | write_bars(session, benchmark, frame)
    for item in book.strategies:
        strategy, created = ensure_strategy(
            session,
            item.slug,
            name=item.name,
            stage=item.stage,
            style=item.style,
            tags=item.tags,
            description=item.description,
            benchmark="SPY",
        )
        change |= created
        for source, frame in item.series.items():
            change |= write_performance(session, strategy.id, source, frame)
        for source, trades in item.trades.items():
            change |= write_trades(session, strategy.id, source, trades)
    return change


def _benchmark_returns(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Correlated, fat-tailed daily returns with volatility clustering (GARCH(1,1) on equities)."""
    shocks = rng.standard_t(df=4, size=(n, 2)) / np.sqrt(2.0)  # unit variance for df = 4
    chol = np.linalg.cholesky(np.array([[1.0, 0.15], [0.15, 1.0]]))
    z = shocks @ chol.T
    out = {}
    for k, (symbol, (_, _, drift, vol)) in enumerate(BENCHMARKS.items()):
        daily_var = vol**2 / 252
        var = np.full(n, daily_var)
        for t in range(1, n):  # GARCH recursion: inherently sequential, n ~ 3,000
            var[t] = daily_var * 0.05 + 0.10 * (var[t - 1] * z[t - 1, k] ** 2) + 0.85 * var[t - 1]
        out[symbol] = drift / 252 + np.sqrt(var) * z[:, k]
    return out


def _bars(rng: np.random.Generator, days: pd.DatetimeIndex, returns: np.ndarray) -> pd.DataFrame:
    close = 100.0 * np.cumprod(1.0 + returns)
    previous = np.concatenate([[100.0], close[:-1]])
    spread = np.abs(rng.normal(0, 0.004, len(days)))
    high = np.maximum(previous, close) * (1 + spread)
    low = np.minimum(previous, close) * (1 - spread)
    volume = rng.lognormal(17, 0.3, len(days)).round()
    return pd.DataFrame(
        {"open": previous, "high": high, "low": low, "close": close, "volume": volume}, index=days
    )


def _strategy(
    rng: np.random.Generator, i: int, days: pd.DatetimeIndex, market: dict
) -> DemoStrategy:
    stage, style = STAGES[i % len(STAGES)], STYLES[i % len(STYLES)]
    base, lap = NAMES[i % len(NAMES)], i // len(NAMES)
    number = f" {lap + 1}" if lap else ""
    n = len(days)
    years = int(rng.integers(3, 11))
    start = max(0, n - years * 252)
    beta = {"market-neutral": 0.05, "stat-arb": 0.1, "trend": 0.4}.get(style, rng.uniform(0.2, 0.9))
    alpha, vol = rng.uniform(0.02, 0.14) / 252, rng.uniform(0.06, 0.22) / np.sqrt(252)
    idio = rng.standard_t(df=5, size=n) * vol / np.sqrt(5 / 3)
    backtest = alpha + beta * market["SPY"] + 0.3 * beta * market["AGG"] + idio
    series = {Source.BACKTEST: _frame(days[start:], backtest[start:])}
    live_len = int(rng.integers(60, 260))
    behaviour = _behaviour(i)
    if stage in (Stage.PAPER, Stage.LIVE, Stage.RETIRED):
        cut = n - live_len - (252 if stage is Stage.RETIRED else 0)
        stop = n - (252 if stage is Stage.RETIRED else 0)
        paper_cut = cut - 63 if stage is not Stage.PAPER else cut
        live = _live_returns(rng, backtest[paper_cut:stop], behaviour)
        if stage is Stage.PAPER:
            series[Source.PAPER] = _frame(days[cut:stop], live)
        else:
            series[Source.PAPER] = _frame(days[paper_cut:cut], live[: cut - paper_cut])
            series[Source.LIVE] = _frame(days[cut:stop], live[cut - paper_cut :])
    trades = {source: _trades(rng, frame, i) for source, frame in series.items()}
    name = f"{base} {style.replace('-', ' ').title()}{number}"
    return DemoStrategy(
        slug=f"{base.lower()}-{style}{number.replace(' ', '-')}",
        name=name,
        stage=stage,
        style=style,
        tags=["demo", style] + ([behaviour] if behaviour != "tracking" else []),
        description=f"Demo {style} strategy (beta {beta:.2f}); live behaviour: {behaviour}.",
        series=series,
        trades=trades,
    )


def _behaviour(i: int) -> str:
    if i == 2:
        return "deep-drawdown"
    return "diverging" if i % 4 == 3 else "tracking"


def _live_returns(rng: np.random.Generator, backtest: np.ndarray, behaviour: str) -> np.ndarray:
    """Live = backtest plus execution noise and costs; diverging ones lose their edge."""
    n = len(backtest)
    noise = rng.normal(0, backtest.std() * 0.25, n)
    if behaviour == "tracking":
        return backtest + noise - 0.00005
    if behaviour == "diverging":
        return 0.4 * backtest + noise - 0.0006
    crash = np.linspace(0, 1, n) > 0.35  # a regime break a third of the way in
    return np.where(crash, backtest * 0.5 - 0.004 + noise * 2, backtest + noise)


def _frame(days: pd.DatetimeIndex, returns: np.ndarray) -> pd.DataFrame:
    returns = np.clip(returns, -0.5, None)
    equity = 100_000 * np.cumprod(1.0 + returns)
    return pd.DataFrame({"equity": equity, "ret": returns}, index=days)


def _trades(rng: np.random.Generator, frame: pd.DataFrame, i: int) -> pd.DataFrame:
    """Round-trip trades over the last two years of a series; P&L consistent with its sign."""
    recent = frame.index[-504:]
    count = max(5, len(recent) // 3)
    entry_at = np.sort(rng.choice(len(recent) - 1, size=min(count, len(recent) - 1), replace=False))
    hold = rng.integers(1, 8, size=len(entry_at))
    exit_at = np.minimum(entry_at + hold, len(recent) - 1)
    price = rng.uniform(20, 500, len(entry_at)).round(2)
    quantity = rng.integers(10, 500, len(entry_at)).astype(float)
    pnl = (rng.standard_t(4, len(entry_at)) * 0.02 + 0.002) * price * quantity
    hours = pd.to_timedelta(rng.integers(14, 20, len(entry_at)), unit="h")
    return pd.DataFrame(
        {
            "trade_key": [f"demo-{i}-{k}-{d:%Y%m%d}" for k, d in enumerate(recent[entry_at])],
            "ts": recent[entry_at] + hours,
            "symbol": rng.choice(UNIVERSE, len(entry_at)),
            "side": rng.choice(["long", "short"], len(entry_at), p=[0.7, 0.3]),
            "quantity": quantity,
            "price": price,
            "fee": (quantity * 0.005).round(2),
            "pnl": pnl.round(2),
            "exit_ts": recent[exit_at] + hours,
        }
    )
