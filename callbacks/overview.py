"""Callbacks of the overview page: read the cached overview, filter and sort it, draw the table."""

from __future__ import annotations

import hashlib
import logging
from typing import Any
from urllib.parse import quote

import pandas as pd
from dash import (
    Input,
    Output,
    State,
    callback,
    ctx,
    dcc,
    html,
    no_update,
)
from sqlalchemy.exc import OperationalError

from app import divergence, preferences, reads
from app.auth import current_principal, requires
from app.components import (
    empty_state,
    error_banner,
    relative_change,
    signed_percent,
    sparkline,
    stage_badge,
    verdict_badge,
)
from app.scopes import visible
from callbacks.url_state import keep_in_url
from callbacks.values import is_text, is_texts
from data.metrics import METRICS, format_value
from data.schema import Role
from pages.overview import MAX_SEARCH, ids

log = logging.getLogger(__name__)
# (header, metric key whose registry label and definition it shows, or None)
COLUMNS = [
    ("Strategy", None),
    ("Stage", None),
    ("Source", None),
    ("As of", None),
    ("Last year", None),
    ("Today", None),
    ("MTD", "mtd"),
    ("YTD", "ytd"),
    ("vs benchmark", None),
    ("Sharpe", "sharpe"),
    ("Max drawdown", "max_drawdown"),
    ("Verdict", None),
]


def _header(label: str, key: str | None) -> html.Th:
    if key is None:
        return html.Th(label, scope="col")
    metric = METRICS[key]  # the registry's label, its definition on hover
    return html.Th(
        html.Abbr(metric.label, title=metric.definition), scope="col", className="sw-num"
    )


@callback(
    Output(ids.table, "children"),
    Output(ids.drawn, "data"),
    Input(ids.stage, "value"),
    Input(ids.search, "value"),
    Input(ids.tag, "value"),
    Input(ids.sort, "value"),
    Input(ids.tick, "n_intervals"),
    State(ids.drawn, "data"),
)
@requires(Role.VIEWER)
def update_overview_table(
    stages: list[str] | None,
    search: str | None,
    tags: list[str] | None,
    sort: str | None,
    _tick: int | None,
    drawn: str | None = None,
) -> tuple[Any, Any]:
    """Filter the book by stage, text and tags, sort it, and draw it; each tick redraws only
    if something shown changed (a large table costs the browser more than the server)."""
    if problem := filters_problem(stages, search, tags, sort):
        return error_banner("These filters are not valid.", problem), None
    table, digest = draw_book(stages or [], search or "", tags or [], sort or "name")
    return (no_update, no_update) if digest is not None and digest == drawn else (table, digest)


@callback(
    Output(ids.saved, "data"),
    Input(ids.tag, "value"),
    Input(ids.sort, "value"),
    prevent_initial_call=True,
)
@requires(Role.VIEWER)
def remember_overview_view(tags: list[str] | None, sort: str | None) -> Any:
    """Keep the tag filter or sort the user just changed for their next visit; only the field
    changed on the page is saved, so a shared link's other values are not."""
    principal = current_principal()
    if principal is None or not (is_texts(tags) and is_text(sort)):
        return no_update
    changed = {ids.tag: {"overview_tags": tags or []}, ids.sort: {"overview_sort": sort}}
    try:
        preferences.update(principal.id, changed.get(ctx.triggered_id, {}), audited=False)
    except preferences.PreferencesRefused:  # e.g. a cleared sort: shown, just not kept
        return no_update
    return {"tags": tags or [], "sort": sort}


def filters_problem(stages: object, search: object, tags: object, sort: object) -> str | None:
    """What a hand-made request got wrong in the filters, or None when they can be applied."""
    if not (is_texts(stages) and is_text(search) and is_texts(tags) and is_text(sort)):
        return "Stage and tag take lists of names; search and sort take text."
    if len(search or "") > MAX_SEARCH:
        return f"Search takes at most {MAX_SEARCH} characters."
    return None


def draw_book(stages: list[str], search: str, tags: list[str], sort: str) -> tuple[Any, str | None]:
    """The visible book, filtered and sorted, as a table (or a banner, or an empty state), and a
    digest of what it shows (None for a banner: always drawn)."""
    try:
        book = visible(reads.overview(), current_principal())
        decimals = preferences.current()["decimals"]
        shown = sort_book(filter_book(book, stages, search, tags), sort)
        verdicts = divergence.verdicts([int(i) for i in shown["id"]])
    except OperationalError:
        log.exception("overview read failed")
        banner = error_banner(
            "Strategies could not be loaded.",
            "The database did not answer; retrying every few seconds.",
        )
        return banner, None
    except Exception:
        log.exception("overview failed")
        banner = error_banner(
            "Strategies could not be loaded.",
            "An unexpected error was logged; retrying every few seconds.",
        )
        return banner, None
    if shown.empty:
        return empty_state("No strategy matches these filters."), "empty"
    digest = hashlib.sha1(repr((shown.to_dict("split"), decimals, verdicts)).encode()).hexdigest()
    return strategy_table(shown, decimals, verdicts), digest


def filter_book(
    book: pd.DataFrame, stages: list[str], search: str, tags: list[str] | None = None
) -> pd.DataFrame:
    """Rows whose stage and tags are selected (all when none are) and whose text matches."""
    keep = book["stage"].isin(stages) if stages else pd.Series(True, index=book.index)
    if tags:
        keep &= book["tags"].map(lambda own: bool(set(own or []) & set(tags)))
    if search.strip():
        text = book["name"] + " " + book["style"] + " " + book["tags"].map(" ".join)
        keep &= text.str.contains(search.strip(), case=False, regex=False)
    return book[keep]


def sort_book(book: pd.DataFrame, key: str) -> pd.DataFrame:
    """By name (A–Z), or by a number, best first and missing last."""
    if key not in book.columns or key == "name":
        return book.sort_values("name", key=lambda s: s.str.lower(), kind="stable")
    values = pd.to_numeric(book[key], errors="coerce")
    return book.loc[values.sort_values(ascending=False, na_position="last").index]


def strategy_table(
    book: pd.DataFrame, decimals: int = 2, verdicts: dict[int, str | None] | None = None
) -> html.Table:
    """The strategies as an accessible table; numbers coloured by sign, from the registry."""
    verdicts = verdicts or {}
    rows = [
        html.Tr(
            [
                html.Td(dcc.Link(row.name, href=f"/strategies/{quote(row.slug, safe='')}")),
                html.Td(stage_badge(row.stage)),
                html.Td(row.source or "–", className="sw-caption"),
                html.Td(
                    f"{row.last_date:%Y-%m-%d}" if row.last_date else "–", className="sw-caption"
                ),
                html.Td(sparkline(row.spark or [])),
                html.Td(signed_percent(row.today, decimals)),
                html.Td(signed_percent(row.mtd, decimals)),
                html.Td(signed_percent(row.ytd, decimals)),
                html.Td(relative_change(row.relative, decimals)),
                html.Td(format_value("sharpe", row.sharpe, decimals), className="sw-num"),
                html.Td(
                    format_value("max_drawdown", row.max_drawdown, decimals), className="sw-num"
                ),
                html.Td(verdict_badge(verdicts.get(int(row.id)))),
            ]
        )
        for row in book.itertuples(index=False)
    ]
    head = html.Thead(html.Tr([_header(label, key) for label, key in COLUMNS]))
    return html.Table([head, html.Tbody(rows)], className="table sw-table sw-card")


keep_in_url(
    ids.query,
    ids.query_keys,
    (ids.stage, "value"),
    (ids.tag, "value"),
    (ids.sort, "value"),
    (ids.search, "value"),
)
