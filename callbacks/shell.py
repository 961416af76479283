"""Callbacks of the shell: the banner that says when data is stale or a provider is failing."""

from __future__ import annotations

import logging
from typing import Any

from dash import ClientsideFunction, Input, Output, callback, clientside_callback, html

from app import status
from app.auth import current_principal, requires
from app.components import error_banner, joined, warning_banner
from app.shell import ids
from data import freshness
from data.schema import Role

log = logging.getLogger(__name__)


clientside_callback(  # one theme for every page, applied on load and when settings save one
    ClientsideFunction("stratwatch", "applyTheme"),
    Output(ids.theme_sink, "data"),
    Input(ids.theme, "data"),
)


@callback(
    Output(ids.banner, "children"),
    Output(ids.status_line, "children"),
    Input(ids.status_tick, "n_intervals"),
)
@requires(Role.VIEWER)
def update_status(_tick: int | None) -> tuple[Any, Any]:
    """Warn about stale data and open circuits; always say how fresh each stream is."""
    try:
        report = status.report().seen_by(current_principal())
    except Exception:
        log.exception("status read failed")
        down = error_banner("The database is not answering.", "Figures shown may be out of date.")
        return down, "Status unavailable."
    banner = None
    if report.warnings:
        items = [html.Li(line) for line in report.warnings]
        banner = warning_banner("Some data is out of date.", items)
    return banner, status_line(report)


def status_line(report: status.Status) -> list:
    """'SPY updated 3 min ago · alpaca-paper updated just now · massive: closed'."""
    subjects = freshness.by_subject(report.streams)
    parts = [
        html.Span(f"{subject} {item.text}", className="sw-loss" if item.stale else "")
        for (_kind, subject), item in sorted(subjects.items())
    ]
    parts += [html.Span(f"{p.name}: {p.state.value}") for p in report.providers]
    if not parts:
        return ["No provider sync has run yet (demo data)."]
    return joined(parts)
