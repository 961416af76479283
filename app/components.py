"""Shared UI pieces: banners, badges, formatted numbers; styled by classes, never inline."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from data.metrics import GROUPS, METRICS, format_value

BLOCKS = "▁▂▃▄▅▆▇█"


def joined(parts: list, separator: str = " · ") -> list:
    """Components (or text) in a row with a separator between them, as a children list."""
    out: list = []
    for part in parts:
        out += [part, separator]
    return out[:-1]


def error_banner(message: str, detail: str = "") -> dbc.Alert:
    """A visible, dismissable banner saying what failed and what still works."""
    return dbc.Alert(
        [html.Strong(message), html.Div(detail, className="sw-caption")] if detail else message,
        color="danger",
        className="sw-banner",
        dismissable=True,
    )


def warning_banner(message: str, items: list) -> dbc.Alert:
    """A warning that stays until the condition clears (stale data, a provider down)."""
    return dbc.Alert(
        [html.Strong(message), html.Ul(items, className="mb-0 sw-caption")],
        color="warning",
        className="sw-banner sw-banner-warning",
    )


def empty_state(message: str) -> html.Div:
    """What an empty list says instead of showing nothing."""
    return html.Div(message, className="sw-card sw-caption text-center")


def stage_badge(stage: str) -> html.Span:
    """A strategy's stage as a coloured pill."""
    return html.Span(stage, className=f"sw-stage sw-stage-{stage}")


def signed_percent(value: float | None, digits: int = 2) -> html.Span:
    """A percentage coloured by sign with the profit/loss tokens; an en dash when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return html.Span("–", className="sw-num sw-caption")
    shown = round(value * 100, digits)
    if shown == 0:  # never "-0.00%"
        return html.Span(f"{0:.{digits}f}%", className="sw-num")
    tone = "sw-profit" if shown > 0 else "sw-loss"
    return html.Span(f"{shown:+.{digits}f}%", className=f"sw-num {tone}")


def verdict_badge(verdict: str | None) -> html.Span:
    """A live-vs-backtest verdict (consistent, watch, diverging) as a coloured pill."""
    if not verdict:
        return html.Span("–", className="sw-caption")
    if verdict == "pending":
        return html.Span(
            "computing…", className="sw-caption", title="being computed; shown in a moment"
        )
    return html.Span(verdict, className=f"sw-verdict sw-verdict-{verdict}")


def sparkline(values: list[float], width: int = 24) -> html.Span:
    """A tiny equity curve in block characters (text: no image, no chart library per row)."""
    values = [v for v in values if v is not None and math.isfinite(v)]
    if len(values) < 2:
        return html.Span("–", className="sw-caption")
    step = max(1, math.ceil(len(values) / width))
    sampled = values[::step] if values[::step][-1] == values[-1] else [*values[::step], values[-1]]
    scale = max(abs(v) for v in sampled) or 1.0  # within [-1, 1]: no overflow in the span
    sampled = [v / scale for v in sampled]
    lo, hi = min(sampled), max(sampled)
    span = (hi - lo) or 1.0
    top = len(BLOCKS) - 1
    text = "".join(BLOCKS[round((v - lo) / span * top)] for v in sampled)
    change = values[-1] / values[0] - 1 if values[0] else math.nan
    tone = "sw-profit" if change >= 0 else "sw-loss"
    return html.Span(
        text, className=f"sw-spark {tone}", title=f"equity {change:+.1%} over the period"
    )


def metrics_table(metrics: pd.DataFrame, decimals: int = 2) -> html.Table:
    """Registry metrics (rows) by column, grouped; each label shows its definition as a tooltip."""
    head = html.Thead(
        html.Tr([html.Th("Metric", scope="col")] + [html.Th(c, scope="col") for c in metrics])
    )
    rows: list = []
    for group in GROUPS:
        keys = [k for k in metrics.index if METRICS[k].group == group]
        if not keys:
            continue
        rows.append(html.Tr(html.Th(group, colSpan=len(metrics.columns) + 1, scope="rowgroup")))
        rows += [
            html.Tr(
                [
                    html.Td(
                        html.Span(
                            METRICS[k].label, title=METRICS[k].definition, className="sw-term"
                        )
                    )
                ]
                + [
                    html.Td(format_value(k, metrics.at[k, c], decimals), className="sw-num")
                    for c in metrics
                ]
            )
            for k in keys
        ]
    return html.Table([head, html.Tbody(rows)], className="table table-sm sw-table sw-metrics")


def frame_table(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> html.Table:
    """A small frame as a table; `formats` maps columns to format specs ('.2%', '%Y-%m-%d')."""
    formats = formats or {}

    def cell(column: str, value: object) -> str:
        if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            return "–"
        spec = formats.get(column, "")
        return value.strftime(spec) if hasattr(value, "strftime") and spec else format(value, spec)

    head = html.Thead(html.Tr([html.Th(str(c), scope="col") for c in frame.columns]))
    body = [
        html.Tr([html.Td(cell(c, v)) for c, v in zip(frame.columns, row, strict=True)])
        for row in frame.itertuples(index=False)
    ]
    return html.Table([head, html.Tbody(body)], className="table table-sm sw-table")


def comparison_panel(result: dict | None) -> html.Div:
    """The live-vs-backtest verdict, its reasons, and every test with its p-value."""
    if result is None:
        return empty_state("No live or paper record to compare with the backtest yet.")
    tests = pd.DataFrame(
        result["tests"], columns=["name", "statistic", "p_value", "effect_size", "reject", "note"]
    )
    boot = pd.DataFrame(result["bootstrap"], columns=["name", "estimate", "low", "high"])
    return html.Div(
        [
            html.Div(
                [
                    html.Span(f"{result['source'].title()} vs backtest: ", className="me-1"),
                    verdict_badge(result["verdict"]),
                    html.Span(
                        f" {result['n_live']} {result['source']} days, "
                        f"{result['n_reference']} backtest days",
                        className="sw-caption ms-2",
                    ),
                ],
                className="mb-2",
            ),
            html.Ul([html.Li(r) for r in result["reasons"]], className="sw-caption"),
            frame_table(
                tests.rename(columns=lambda c: c.replace("_", " ")),
                {"statistic": ".3f", "p value": ".4f", "effect size": ".3f"},
            ),
            frame_table(boot, {"estimate": ".4f", "low": ".4f", "high": ".4f"}),
        ],
        className="sw-comparison",
    )


def relative_change(value: float | None, digits: int = 2) -> html.Span:
    """Out- or under-performance with an arrow, coloured by sign; an en dash when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return html.Span("–", className="sw-num sw-caption")
    shown = round(value * 100, digits)
    if shown == 0:
        zero = f"■ {0:.{digits}f}%"
        return html.Span(zero, className="sw-num", title="in line with its benchmark")
    up = shown > 0
    return html.Span(
        f"{'▲' if up else '▼'} {shown:+.{digits}f}%",
        className=f"sw-num {'sw-profit' if up else 'sw-loss'}",
        title="outperforming its benchmark" if up else "underperforming its benchmark",
    )
