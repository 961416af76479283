"""Settings: the signed-in user's preferences, saved on the server as they change."""

from __future__ import annotations

from dash import dcc, html

from app import preferences, reads
from data.preferences import PANELS, RANGES, SEVERITIES

PATH = "/settings"
TITLE = "Settings · Stratwatch"
NAME = "Settings"


class ids:
    """Component ids of this page."""

    theme = "settings-theme"
    benchmarks = "settings-benchmarks"
    date_range = "settings-date-range"
    panels = "settings-panels"
    decimals = "settings-decimals"
    alerts = "settings-alerts"
    severity = "settings-severity"
    status = "settings-status"


def _field(label: str, control: object, control_id: str, hint: str = "") -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=control_id, className="form-label fw-semibold"),
            control,
            html.Div(hint, className="sw-caption") if hint else None,
        ],
        className="mb-3",
    )


def benchmark_symbols() -> list[str]:
    """Stored benchmark symbols (a small cached list; empty if the read fails)."""
    try:
        return reads.benchmarks()["symbol"].tolist()
    except Exception:  # the page still renders; the status line reports a failed save
        return []


def layout(**_query: str) -> html.Div:
    """The preferences form, filled with what this user saved (callbacks.settings saves it)."""
    prefs = preferences.current()
    alerts = [k for k in ("alerts_in_app", "alerts_email") if prefs[k]]
    return html.Div(
        [
            html.H1("Settings", className="h4 mb-3"),
            html.Form(
                [
                    _field(
                        "Theme",
                        dcc.RadioItems(
                            id=ids.theme,
                            options=[
                                {"label": " Light", "value": "light"},
                                {"label": " Dark", "value": "dark"},
                            ],
                            value=prefs["theme"],
                            inline=True,
                            labelClassName="me-3",
                        ),
                        ids.theme,
                    ),
                    _field(
                        "Default benchmarks",
                        dcc.Dropdown(
                            id=ids.benchmarks,
                            options=benchmark_symbols(),
                            value=prefs["benchmarks"],
                            multi=True,
                        ),
                        ids.benchmarks,
                        "Compared against on the compare page.",
                    ),
                    _field(
                        "Default date range",
                        dcc.RadioItems(
                            id=ids.date_range,
                            options=list(RANGES),
                            value=prefs["date_range"],
                            inline=True,
                            labelClassName="me-3",
                        ),
                        ids.date_range,
                    ),
                    _field(
                        "Tearsheet panels, in order",
                        dcc.Dropdown(
                            id=ids.panels,
                            options=list(PANELS),
                            value=prefs["panels"],
                            multi=True,
                        ),
                        ids.panels,
                        "Remove a panel to hide it; the order chosen is the order shown.",
                    ),
                    _field(
                        "Decimal places for percentages",
                        dcc.Input(
                            id=ids.decimals,
                            type="number",
                            value=prefs["decimals"],
                            step=1,
                            className="form-control sw-narrow",
                        ),
                        ids.decimals,
                        "0 to 4.",
                    ),
                    _field(
                        "Alerts",
                        dcc.Checklist(
                            id=ids.alerts,
                            options=[
                                {"label": " In the app", "value": "alerts_in_app"},
                                {"label": " By email", "value": "alerts_email"},
                            ],
                            value=alerts,
                            inline=True,
                            labelClassName="me-3",
                        ),
                        ids.alerts,
                    ),
                    _field(
                        "Alert at or above",
                        dcc.RadioItems(
                            id=ids.severity,
                            options=list(SEVERITIES),
                            value=prefs["alert_severity"],
                            inline=True,
                            labelClassName="me-3",
                        ),
                        ids.severity,
                    ),
                ],
                className="sw-card sw-settings",
            ),
            html.Div(id=ids.status, className="mt-2", **{"aria-live": "polite"}),
        ]
    )
