"""The shell around every page: navbar built from the page registry, page container, banner slot."""

from __future__ import annotations

import logging

import dash
from dash import dcc, html

from app import preferences
from app.auth import current_principal
from app.login import csrf_token
from data.schema import Role

log = logging.getLogger(__name__)


class ids:
    """Component ids owned by the shell."""

    url = "shell-url"
    banner = "shell-banner"
    status_tick = "shell-status-tick"
    status_line = "shell-status-line"
    theme = "shell-theme"  # the user's theme; the settings page writes a new one here
    theme_sink = "shell-theme-sink"


def navbar() -> html.Nav:
    """Links to the pages this user may open, in registry order, and who is signed in."""
    principal = current_principal()
    role = principal.role if principal else Role.VIEWER
    links = [
        dcc.Link(page["name"], href=page["relative_path"], className="sw-navlink")
        for page in dash.page_registry.values()
        if page.get("nav", False)
        and (principal is None or principal.can(page.get("role", Role.VIEWER)))
    ]
    return html.Nav(
        [
            dcc.Link("Stratwatch", href="/", className="sw-brand"),
            html.Div([*links, _account(principal, role)], className="d-flex align-items-center"),
        ],
        className="sw-navbar d-flex align-items-center justify-content-between",
        **{"aria-label": "Main"},
    )


def _account(principal, role: Role) -> html.Div:
    if principal is None:
        return html.Div()
    return html.Form(
        [
            html.Span(f"{principal.email} · {role.value}", className="sw-caption ms-3 me-2"),
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token()),
            html.Button("Sign out", type="submit", className="btn btn-sm btn-outline-secondary"),
        ],
        method="POST",
        action="/logout",
        className="d-flex align-items-center",
    )


def _theme() -> str:
    try:
        return str(preferences.current()["theme"])
    except Exception:  # a database outage must not take the shell down; its banner says why
        log.warning("could not read the theme preference", exc_info=True)
        return "light"


def layout() -> html.Div:
    """The app layout: navbar, a banner slot, and the current page."""
    return html.Div(
        [
            dcc.Location(id=ids.url),
            dcc.Store(id=ids.theme, data=_theme()),
            dcc.Store(id=ids.theme_sink),
            navbar(),
            html.Div(id=ids.banner, **{"aria-live": "polite"}),
            dcc.Interval(id=ids.status_tick, interval=30_000),
            html.Main(dash.page_container, className="sw-page"),
            html.Footer(id=ids.status_line, className="sw-footer sw-caption"),
        ]
    )
