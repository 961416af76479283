"""Callbacks of the compare page: read each series, align them, draw chart, metrics, correlation."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, callback, html

from app import figures, preferences, reads
from app.auth import current_principal, requires
from app.components import empty_state, error_banner, metrics_table, relative_change
from app.scopes import can_see
from callbacks.url_state import keep_in_url
from callbacks.values import is_text, is_texts
from data.metrics import compute_metrics
from data.schema import Role
from pages.compare import ids

log = logging.getLogger(__name__)
KEYS = ["total_return", "cagr", "volatility", "sharpe", "sortino", "max_drawdown", "calmar"]


@callback(
    Output(ids.chart, "figure"),
    Output(ids.relative, "children"),
    Output(ids.metrics, "children"),
    Output(ids.correlation, "figure"),
    Input(ids.strategies, "value"),
    Input(ids.benchmarks, "value"),
    Input(ids.preset, "value"),
)
@requires(Role.VIEWER)
def update_comparison(slugs: list[str] | None, symbols: list[str] | None, preset: str) -> tuple:
    """Every chosen strategy and benchmark over the range, side by side."""
    view = preferences.current()
    theme = view["theme"]
    if not (is_texts(slugs) and is_texts(symbols) and is_text(preset)):
        refused = error_banner("These choices are not valid.", "Pick from the lists above.")
        return figures.comparison_figure({}, theme=theme), refused, None, go.Figure()
    try:
        frame = comparison_returns(slugs or [], symbols or [], preset)
        if frame.shape[1] == 0:
            empty = empty_state("Choose strategies or benchmarks to compare.")
            return figures.comparison_figure({}, theme=theme), empty, None, go.Figure()
        marks = [s for s in symbols or [] if s in frame]
        return draw_comparison(frame, marks, theme, view["decimals"])
    except Exception:  # reading or measuring: a banner, and the rest of the page still works
        log.exception("comparison failed for %s against %s", slugs, symbols)
        failed = error_banner("The comparison could not be loaded.")
        return figures.comparison_figure({}, theme=theme), failed, None, go.Figure()


def comparison_returns(slugs: list[str], symbols: list[str], preset: str) -> pd.DataFrame:
    """Daily returns, one column per visible strategy (by name) and benchmark, over the range."""
    columns: dict[str, pd.Series] = {}
    for slug in slugs:
        strategy = reads.strategy(slug)
        if not can_see(strategy, current_principal()):
            continue  # hidden strategies are not found, here as everywhere
        extents = reads.series_extents(int(strategy["id"]))
        source = next((s for s in ("live", "paper", "backtest") if s in set(extents["source"])), 0)
        if source:
            series = reads.performance(int(strategy["id"]), source, "daily", None, None, None)
            columns[str(strategy["name"])] = series["ret"]
    known = set(reads.benchmarks()["symbol"]) | set(reads.BLENDS)
    for symbol in symbols:
        if symbol in known:  # an unknown symbol (a hand-edited link) is left out, not drawn
            columns[symbol] = reads.benchmark_returns(symbol)
    frame = pd.DataFrame(columns).astype(float)
    if frame.empty:
        return frame
    start = reads.preset_start(preset, frame.index.max())
    return frame[frame.index >= start] if start is not None else frame


def draw_comparison(
    frame: pd.DataFrame, benchmarks: list[str], theme: str = "light", decimals: int = 2
) -> tuple:
    """The growth chart, out/under-performance against the first benchmark, metrics, correlation."""
    levels = {name: (1 + frame[name]).cumprod().where(frame[name].notna()) for name in frame}
    return (
        figures.comparison_figure(levels, theme=theme),
        relative_list(frame, benchmarks[0] if benchmarks else None, decimals),
        metrics_table(compute_metrics(frame, keys=KEYS, periods_per_year=None), decimals),
        figures.correlation_figure(frame.corr(min_periods=20), theme),
    )


def relative_list(frame: pd.DataFrame, reference: str | None, decimals: int = 2) -> Any:
    """Each other series' total return less the reference's, over the dates both have."""
    if reference is None:
        return empty_state("Add a benchmark to measure against.")
    items = []
    for name in frame.columns.drop(reference):
        both = frame[[name, reference]].dropna()
        excess = (1 + both[name]).prod() - (1 + both[reference]).prod() if len(both) else None
        items.append(
            html.Li([html.Span(f"{name} vs {reference}: "), relative_change(excess, decimals)])
        )
    return html.Ul(items, className="list-unstyled mb-0") if items else empty_state("Nothing else.")


keep_in_url(
    ids.query,
    ids.query_keys,
    (ids.strategies, "value"),
    (ids.benchmarks, "value"),
    (ids.preset, "value"),
)
