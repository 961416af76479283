"""Compare: several strategies and benchmarks on one chart, their metrics and correlations."""

from __future__ import annotations

from dash import dcc, html

from app import preferences, reads
from app.auth import current_principal
from app.scopes import visible

PATH = "/compare"
TITLE = "Compare · Stratwatch"
NAME = "Compare"
BLEND = "60/40"
QUERY_KEYS = ["s", "b", "range"]


class ids:
    """Component ids of this page."""

    strategies = "compare-strategies"
    benchmarks = "compare-benchmarks"
    preset = "compare-preset"
    query_keys = "compare-query-keys"
    query = "compare-query"
    chart = "compare-chart"
    relative = "compare-relative"
    metrics = "compare-metrics"
    correlation = "compare-correlation"


def options() -> tuple[list[dict], list[str]]:
    """Strategies this user may see (label, slug) and the benchmarks, blends included."""
    try:
        book = visible(reads.strategies(), current_principal())
        symbols = reads.benchmarks()["symbol"].tolist()
    except Exception:  # the chart's callback reports the failure
        return [], []
    return [{"label": r.name, "value": r.slug} for r in book.itertuples()], [*symbols, BLEND]


def layout(s: str = "", b: str | None = None, range: str | None = None, **_q: str) -> html.Div:
    """Pickers and the comparison (filled by callbacks.compare); the view is in the URL."""
    prefs = preferences.current()
    strategies, benchmarks = options()
    chosen = [x for x in s.split(",") if x]
    marks = [x for x in (b.split(",") if b is not None else prefs["benchmarks"]) if x]
    return html.Div(
        [
            html.H1("Compare", className="h4 mb-3"),
            dcc.Store(id=ids.query_keys, data=QUERY_KEYS),
            dcc.Store(id=ids.query),
            html.Div(
                [
                    html.Label("Strategies", htmlFor=ids.strategies, className="visually-hidden"),
                    dcc.Dropdown(
                        id=ids.strategies,
                        options=strategies,
                        value=chosen,
                        multi=True,
                        persistence=True,  # the last choice returns when no link says otherwise
                        persistence_type="local",
                        placeholder="Add strategies",
                        className="me-2 sw-filter-wide",
                    ),
                    html.Label("Benchmarks", htmlFor=ids.benchmarks, className="visually-hidden"),
                    dcc.Dropdown(
                        id=ids.benchmarks,
                        options=benchmarks,
                        value=marks,
                        multi=True,
                        persistence=True,
                        persistence_type="local",
                        placeholder="Add benchmarks",
                        className="me-2 sw-filter-stage",
                    ),
                    dcc.RadioItems(
                        id=ids.preset,
                        options=list(reads.PRESETS),
                        value=range if range in reads.PRESETS else prefs["date_range"],
                        inline=True,
                        persistence=True,
                        persistence_type="local",
                        className="sw-presets",
                        inputClassName="btn-check",
                        labelClassName="btn btn-sm btn-outline-secondary me-1",
                    ),
                ],
                className="d-flex flex-wrap align-items-center mb-3",
            ),
            html.Div(
                [
                    html.Div(
                        html.Section(
                            dcc.Loading(dcc.Graph(id=ids.chart, className="sw-chart")),
                            className="sw-card",
                        ),
                        className="col-12 mb-3",
                    ),
                    html.Div(
                        html.Section(
                            [
                                html.H2("Against the first benchmark", className="h6"),
                                html.Div(id=ids.relative),
                            ],
                            className="sw-card h-100",
                        ),
                        className="col-lg-4 mb-3",
                    ),
                    html.Div(
                        html.Section(
                            [html.H2("Metrics", className="h6"), html.Div(id=ids.metrics)],
                            className="sw-card h-100",
                        ),
                        className="col-lg-8 mb-3",
                    ),
                    html.Div(
                        html.Section(
                            dcc.Graph(id=ids.correlation, className="sw-chart"), className="sw-card"
                        ),
                        className="col-12 mb-3",
                    ),
                ],
                className="row",
            ),
        ]
    )
