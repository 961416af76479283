"""Callbacks of the audit page: admins only, enforced on the server."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import Input, Output, callback, html

from app import reads
from app.auth import requires
from app.components import empty_state, error_banner
from callbacks.values import is_text
from data.schema import Role
from pages.admin_audit import ids

COLUMNS = ["When (UTC)", "Who", "Action", "Target", "From", "Detail"]


@callback(Output(ids.table, "children"), Input(ids.action, "value"))
@requires(Role.ADMIN)
def update_audit_table(action: str | None) -> Any:
    """The newest 200 entries, optionally of one action."""
    if not is_text(action):
        return error_banner("That action filter is not valid.", "Pick an action from the list.")
    entries = reads.audit_log(200, action)
    if entries.empty:
        return empty_state("No entries yet.")
    return audit_table(entries)


def audit_table(entries: pd.DataFrame) -> html.Table:
    """Entries as text cells only: nothing a user typed is ever rendered as HTML."""
    rows = [
        html.Tr(
            [
                html.Td(f"{e.ts:%Y-%m-%d %H:%M:%S}", className="sw-caption"),
                html.Td(e.actor),
                html.Td(e.action),
                html.Td(f"{e.target_type} {e.target_id}".strip()),
                html.Td(e.ip, className="sw-caption"),
                html.Td(
                    ", ".join(f"{k}={v}" for k, v in (e.detail or {}).items()),
                    className="sw-caption",
                ),
            ]
        )
        for e in entries.itertuples(index=False)
    ]
    head = html.Thead(html.Tr([html.Th(c, scope="col") for c in COLUMNS]))
    return html.Table([head, html.Tbody(rows)], className="table sw-table sw-card")
