"""The page for any path that is not a page."""

from __future__ import annotations

from dash import dcc, html

PATH = "/404"
TITLE = "Not found · Stratwatch"
NAME = "Not found"


def layout(**_query: str) -> html.Div:
    """A friendly way back."""
    return html.Div(
        [
            html.H1("Page not found", className="h4"),
            html.P("There is no page at this address.", className="sw-caption"),
            dcc.Link("Back to the overview", href="/"),
        ],
        className="sw-card",
    )
