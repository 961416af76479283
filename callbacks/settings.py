"""Callbacks of the settings page: validate and save each change at once (the shell applies a new
theme)."""

from __future__ import annotations

import logging
from typing import Any

from dash import Input, Output, callback, html, no_update

from app import preferences
from app.auth import current_principal, requires
from app.components import error_banner
from app.shell import ids as shell_ids
from callbacks.values import is_texts
from data.schema import Role
from pages.settings import ids

log = logging.getLogger(__name__)


@callback(
    Output(ids.status, "children"),
    Output(shell_ids.theme, "data"),  # the shell applies it
    Input(ids.theme, "value"),
    Input(ids.benchmarks, "value"),
    Input(ids.date_range, "value"),
    Input(ids.panels, "value"),
    Input(ids.decimals, "value"),
    Input(ids.alerts, "value"),
    Input(ids.severity, "value"),
    prevent_initial_call=True,
)
@requires(Role.VIEWER)
def save_settings(theme, benchmarks, date_range, panels, decimals, alerts, severity) -> tuple:
    """Save the form as it changes; say what is wrong with a value instead of saving it."""
    if not is_texts(alerts):  # the one value read here rather than in data.preferences
        return problems_list({"alerts": "must be a list of alert kinds"}), no_update
    changes = settings_changes(theme, benchmarks, date_range, panels, decimals, alerts, severity)
    principal = current_principal()
    try:
        if not preferences.unsaved(preferences.of_user(principal.id), changes):
            return "", no_update  # as it appears, or put back as saved: nothing to say or undo
        saved = preferences.update(principal.id, changes)
    except preferences.PreferencesRefused as refused:
        return problems_list(refused.problems), no_update
    except Exception:
        log.exception("saving preferences failed")
        return error_banner("Your settings could not be saved.", "Nothing was changed."), no_update
    return html.Span("Saved.", className="sw-caption sw-saved"), saved["theme"]


def settings_changes(theme, benchmarks, date_range, panels, decimals, alerts, severity) -> dict:
    """The form's values as a preferences document (validated by data.preferences)."""
    alerts = alerts or []
    return {
        "theme": theme,
        "benchmarks": benchmarks or [],
        "date_range": date_range,
        "panels": panels or [],
        "decimals": decimals,  # None (an empty or non-numeric box) is refused
        "alerts_in_app": "alerts_in_app" in alerts,
        "alerts_email": "alerts_email" in alerts,
        "alert_severity": severity,
    }


def problems_list(problems: dict[str, str]) -> Any:
    """Each invalid field with what is wrong with it; nothing was saved."""
    items = [html.Li(f"{field.replace('_', ' ')}: {why}") for field, why in problems.items()]
    return html.Div(
        [html.Strong("Not saved: "), html.Ul(items, className="mb-0")],
        className="sw-invalid",
        role="alert",
    )
