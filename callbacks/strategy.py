"""Callbacks of the strategy page: resolve the range, read the cached tearsheet, draw it."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
from dash import Input, Output, callback, no_update

from app import divergence, figures, preferences, reads
from app.auth import current_principal, requires
from app.components import comparison_panel, error_banner, frame_table, metrics_table
from app.scopes import can_see
from app.tearsheet import Tearsheet, tearsheet
from callbacks.url_state import keep_in_url
from callbacks.values import is_text, is_texts
from data.benchmarks import short_label
from data.metrics import (
    drawdown_series,
    monthly_returns_table,
    return_quantiles,
    rolling_beta,
    rolling_sharpe,
    rolling_volatility,
    top_drawdowns,
    yearly_returns,
)
from data.metrics.frequency import periods_per_year
from data.schema import Role
from pages.strategy import TRADE_COLUMNS, ids

log = logging.getLogger(__name__)
MIN_WINDOW = 12  # periods in a rolling window, at the least
DRAWN = [
    Output(ids.equity, "figure"),
    Output(ids.drawdown, "figure"),
    Output(ids.drawdowns, "children"),
    Output(ids.rolling, "figure"),
    Output(ids.monthly, "figure"),
    Output(ids.yearly, "figure"),
    Output(ids.distribution, "figure"),
    Output(ids.quantiles, "children"),
    Output(ids.metrics, "children"),
    Output(ids.trades, "rowData"),
]


@callback(
    *DRAWN,
    Output(ids.banner, "children"),
    Input(ids.slug, "data"),
    Input(ids.preset, "value"),
    Input(ids.dates, "start_date"),
    Input(ids.dates, "end_date"),
    Input(ids.log, "value"),
    Input(ids.source, "value"),
)
@requires(Role.VIEWER)
def update_tearsheet(slug, preset, start, end, log_scale, source) -> tuple:
    """Read the tearsheet for the chosen range and source, and draw every panel."""
    if not all(map(is_text, (slug, preset, start, end, source))) or not is_texts(log_scale):
        return (*[no_update] * len(DRAWN), error_banner("These controls are not valid."))
    try:
        sheet = load_tearsheet(slug, preset, start, end, source)
    except ValueError as bad:
        return (*[no_update] * len(DRAWN), error_banner("That date range is not valid.", str(bad)))
    except Exception:
        log.exception("tearsheet read failed for %s", slug)
        return (*[no_update] * len(DRAWN), error_banner("The tearsheet could not be loaded."))
    if sheet is None or sheet.returns.empty:
        return (*[no_update] * len(DRAWN), error_banner("No performance in this range."))
    view = preferences.current()
    return (*draw_tearsheet(sheet, bool(log_scale), view["theme"], view["decimals"]), None)


@callback(Output(ids.comparison, "children"), Input(ids.slug, "data"))
@requires(Role.VIEWER)
def update_comparison(slug: str | None) -> Any:
    """The live-vs-backtest verdict with its p-values (whole records, not the range)."""
    if not is_text(slug):
        return error_banner("That is not a strategy slug.")
    strategy = reads.strategy(slug) if slug else None
    if not can_see(strategy, current_principal()):
        return error_banner(f"No strategy {slug!r}.")
    try:
        return comparison_panel(divergence.comparison(int(strategy["id"])))
    except Exception:
        log.exception("comparison failed for %s", slug)
        return error_banner("The comparison could not be computed.")


@callback(
    Output(ids.preset, "value"),
    Input(ids.dates, "start_date"),
    Input(ids.dates, "end_date"),
    prevent_initial_call=True,
)
@requires(Role.VIEWER)
def choose_custom_range(start: str | None, end: str | None) -> str:
    """Picking dates switches the preset to Custom."""
    return "Custom" if start or end else "All"


keep_in_url(
    ids.query,
    ids.query_keys,
    (ids.preset, "value"),
    (ids.dates, "start_date"),
    (ids.dates, "end_date"),
    (ids.log, "value"),
    (ids.source, "value"),
)


def load_tearsheet(
    slug: str | None, preset: str | None, start: str | None, end: str | None, source: str | None
) -> Tearsheet | None:
    """The cached tearsheet a visible strategy shows for these controls; None if hidden."""
    strategy = reads.strategy(slug) if slug else None
    if not can_see(strategy, current_principal()):
        return None
    extents = reads.series_extents(int(strategy["id"]))
    if extents.empty:
        return None
    lo, hi = resolve_range(preset, start, end, pd.Timestamp(extents["last"].max()))
    own = str(strategy["benchmark"] or "") or None
    symbols = reads.benchmark_pair(own, preferences.current()["benchmarks"])
    return tearsheet(int(strategy["id"]), source or None, symbols, lo, hi)


def resolve_range(
    preset: str | None, start: str | None, end: str | None, last: pd.Timestamp
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """(first, last) dates to show: a preset counted back from `last`, or the custom dates."""
    if preset != "Custom":
        return reads.preset_start(preset, last), None
    lo = pd.Timestamp(start, tz="UTC") if start else None
    hi = pd.Timestamp(end, tz="UTC") + pd.Timedelta(hours=23, minutes=59) if end else None
    if lo is pd.NaT or hi is pd.NaT:  # 'NaT' and 'nan' parse, to no date at all
        raise ValueError("dates are written like 2024-01-31")
    if lo is not None and hi is not None and lo > hi:
        raise ValueError("the start date must come before the end date")
    return lo, hi


def draw_tearsheet(
    sheet: Tearsheet, log_scale: bool, theme: str = "light", decimals: int = 2
) -> tuple:
    """Every panel of the tearsheet, in the order of DRAWN; numbers to `decimals` places."""
    percent = f".{decimals}%"
    returns = sheet.returns
    bench = sheet.benchmark_returns.reindex(returns.index)
    periods = periods_per_year(returns.index)  # a monthly record is not annualised as daily
    window = max(round(periods / 2), MIN_WINDOW)  # half a year, or a year of months
    rolling = {
        "Sharpe": rolling_sharpe(returns, window, periods_per_year=periods).iloc[:, 0],
        "Volatility": rolling_volatility(returns, window, periods).iloc[:, 0],
        "Beta": rolling_beta(returns, bench, window).iloc[:, 0],
    }
    yearly = yearly_returns(pd.DataFrame({"Strategy": returns, "Benchmark": bench}))
    quantiles = return_quantiles(returns).rename(columns=lambda q: f"{q:.0%}")
    return (
        figures.equity_figure(
            sheet.equity,
            {short_label(s): c for s, c in sheet.benchmarks.items()},
            log=log_scale,
            theme=theme,
        ),
        figures.drawdown_figure(drawdown_series(returns).iloc[:, 0], theme),
        drawdowns_table(top_drawdowns(returns, 5), percent),
        figures.rolling_figure(rolling, theme),
        figures.monthly_heatmap(monthly_returns_table(returns), theme),
        figures.yearly_figure(yearly, theme),
        figures.distribution_figure(returns, theme),
        frame_table(
            quantiles.rename_axis("period").reset_index(), dict.fromkeys(quantiles, percent)
        ),
        metrics_table(sheet.metrics, decimals),
        trade_rows(sheet.trades),
    )


def drawdowns_table(episodes: pd.DataFrame, percent: str = ".2%") -> Any:
    """The deepest drawdowns: when they started, bottomed and recovered, how deep and long."""
    shown = episodes[["start", "valley", "recovery", "depth", "days"]]
    dates = dict.fromkeys(["start", "valley", "recovery"], "%Y-%m-%d")
    return frame_table(shown, {**dates, "depth": percent, "days": ".0f"})


def trade_rows(trades: pd.DataFrame) -> list[dict]:
    """Trades as grid rows, timestamps as ISO minutes."""
    rows = trades[TRADE_COLUMNS].copy()
    for column in ("ts", "exit_ts"):
        rows[column] = pd.to_datetime(rows[column], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    return rows.astype(object).where(rows.notna(), None).to_dict("records")
