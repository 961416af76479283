"""Keeping a page's view in its URL: one clientside callback per page (assets/04-url-state.js)."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, clientside_callback


def keep_in_url(query: str, query_keys: str, *controls: tuple[str, str]) -> None:
    """Mirror each (component id, property) into the query string, named by the page's
    `query_keys` store in the same order (history.replaceState: no reload, no history entry)."""
    clientside_callback(
        ClientsideFunction("stratwatch", "syncQuery"),
        Output(query, "data"),
        *(Input(component, prop) for component, prop in controls),
        State(query_keys, "data"),
    )
