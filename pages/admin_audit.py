"""Audit log (admins): sign-ins, failures, refusals and every state change."""

from __future__ import annotations

from dash import dcc, html

from app.auth import current_principal
from data.schema import Role

PATH = "/admin/audit"
TITLE = "Audit log · Stratwatch"
NAME = "Audit"
ROLE = Role.ADMIN
ACTIONS = [
    "sign-in",
    "sign-in-failed",
    "sign-out",
    "refused",
    "user-created",
    "role-changed",
    "user-disabled",
    "user-enabled",
    "password-changed",
    "token-created",
    "token-revoked",
    "team-changed",
    "preferences-saved",
    "import",
    "brokers-mapped",
]


class ids:
    """Component ids of this page."""

    action = "audit-action"
    table = "audit-table"


def layout(**_query: str) -> html.Div:
    """A filter by action and the newest entries; a plain refusal for other roles."""
    principal = current_principal()
    if principal is None or not principal.can(ROLE):
        return html.Div("The audit log is for administrators.", className="sw-card sw-caption")
    return html.Div(
        [
            html.H1("Audit log", className="h4 mb-3"),
            dcc.Dropdown(
                id=ids.action,
                options=ACTIONS,
                placeholder="All actions",
                className="mb-3 sw-filter-stage",
            ),
            dcc.Loading(html.Div(id=ids.table), delay_show=300),
        ]
    )
