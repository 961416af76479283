"""Overview: every strategy with its stage, recent performance, risk and verdict."""

from __future__ import annotations

from dash import dcc, html

from app import preferences, reads
from app.auth import current_principal
from app.scopes import visible

PATH = "/"
TITLE = "Overview · Stratwatch"
NAME = "Overview"
STAGES = ["research", "backtest", "paper", "live", "retired"]
SORTS = {
    "name": "Name",
    "today": "Today",
    "mtd": "Month to date",
    "ytd": "Year to date",
    "relative": "Against benchmark (YTD)",
    "sharpe": "Sharpe ratio",
    "max_drawdown": "Max drawdown",
}


class ids:
    """Component ids of this page."""

    stage = "overview-stage"
    tag = "overview-tag"
    search = "overview-search"
    sort = "overview-sort"
    table = "overview-table"
    tick = "overview-tick"
    drawn = "overview-drawn"  # a digest of what the table shows
    saved = "overview-saved"
    query_keys = "overview-query-keys"
    query = "overview-query"


MAX_SEARCH = 200  # characters: longer patterns are refused by the string engine
QUERY_KEYS = ["stage", "tag", "sort", "q"]  # the URL's names for stage, tag, sort and search


def _listed(text: str | None, allowed: list[str] | None = None) -> list[str]:
    """'a,b' from the URL as a list, keeping only allowed values (when given), without repeats."""
    items = [t for t in (text or "").split(",") if t.strip()]
    return list(dict.fromkeys(t for t in items if allowed is None or t in allowed))


def tag_options() -> list[str]:
    """Every tag of the strategies the caller may see (a small cached list)."""
    try:
        tags = visible(reads.strategies(), current_principal())["tags"]
    except Exception:  # the table's callback reports the failure; filters still render
        return []
    return sorted({tag for row in tags for tag in row or []})


def layout(
    stage: str | None = None,
    tag: str | None = None,
    sort: str | None = None,
    q: str | None = None,
    **_query: str,
) -> html.Div:
    """Filters and sort (from the URL, else as this user last left them) and the strategy table
    (callbacks.overview); the view is written back to the URL, so a link reproduces it."""
    view = preferences.current()
    tags = tag_options()
    return html.Div(
        [
            html.H1("Strategies", className="h4 mb-3"),
            dcc.Store(id=ids.saved),
            dcc.Store(id=ids.drawn),
            dcc.Store(id=ids.query_keys, data=QUERY_KEYS),
            dcc.Store(id=ids.query),
            html.Div(
                [
                    dcc.Dropdown(
                        id=ids.stage,
                        options=[{"label": s.title(), "value": s} for s in STAGES],
                        value=_listed(stage, STAGES),
                        persistence=True,  # kept in this browser unless a link sets it
                        persistence_type="local",
                        multi=True,
                        placeholder="All stages",
                        className="me-2 sw-filter-stage",
                    ),
                    dcc.Dropdown(
                        id=ids.tag,
                        options=tags,
                        value=_listed(tag, tags) if tag is not None else view["overview_tags"],
                        multi=True,
                        placeholder="Any tag",
                        className="me-2 sw-filter-stage",
                    ),
                    dcc.Dropdown(
                        id=ids.sort,
                        options=[{"label": f"Sort: {v}", "value": k} for k, v in SORTS.items()],
                        value=sort if sort in SORTS else view["overview_sort"],
                        clearable=False,
                        className="me-2 sw-filter-sort",
                    ),
                    dcc.Input(
                        id=ids.search,
                        type="search",
                        value=q or "",
                        placeholder="Search name, style or tag",
                        maxLength=MAX_SEARCH,
                        debounce=0.3,
                        className="form-control",
                    ),
                    html.Label(
                        "Search strategies", htmlFor=ids.search, className="visually-hidden"
                    ),
                ],
                className="d-flex mb-3",
            ),
            dcc.Loading(
                html.Div(id=ids.table), delay_show=300, target_components={ids.table: "children"}
            ),
            dcc.Interval(id=ids.tick, interval=5_000),
        ]
    )
