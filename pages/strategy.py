"""Strategy tearsheet: equity, drawdowns, rolling risk, periodic returns, metrics, trades."""

from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd
from dash import dcc, html

from app import preferences, reads
from app.auth import current_principal
from app.components import frame_table, joined, stage_badge
from app.scopes import can_see

PATH = "/strategies/<slug>"
TITLE = "Strategy · Stratwatch"
NAME = "Strategy"
SOURCES = ["backtest", "paper", "live"]
QUERY_KEYS = ["range", "start", "end", "log", "source"]
TRADE_COLUMNS = ["ts", "source", "symbol", "side", "quantity", "price", "fee", "pnl", "exit_ts"]


class ids:
    """Component ids of this page."""

    slug = "strategy-slug"
    query_keys = "strategy-query-keys"
    query = "strategy-query"
    preset = "strategy-preset"
    dates = "strategy-dates"
    log = "strategy-log"
    source = "strategy-source"
    banner = "strategy-banner"
    equity = "strategy-equity"
    drawdown = "strategy-drawdown"
    drawdowns = "strategy-top-drawdowns"
    rolling = "strategy-rolling"
    monthly = "strategy-monthly"
    yearly = "strategy-yearly"
    distribution = "strategy-distribution"
    quantiles = "strategy-quantiles"
    metrics = "strategy-metrics"
    comparison = "strategy-comparison"
    trades = "strategy-trades"


def _graph(graph_id: str, height: str = "sw-chart") -> dcc.Loading:
    return dcc.Loading(
        dcc.Graph(id=graph_id, config={"displaylogo": False}, className=height), delay_show=300
    )


def _card(title: str, body: object, width: str = "col-lg-6") -> tuple[html.Div, str]:
    section = html.Section([html.H2(title, className="h6"), body], className="sw-card h-100")
    return section, f"{width} mb-3"


def panels(order: list[str]) -> list[html.Div]:
    """The tearsheet's panels in the user's order; panels left out are kept, hidden."""
    cards = {
        "equity": _card("Equity against the S&P 500 and bonds", _graph(ids.equity), "col-12"),
        "drawdown": _card("Drawdowns", _graph(ids.drawdown)),
        "drawdowns": _card("Top drawdowns", html.Div(id=ids.drawdowns)),
        "rolling": _card(
            "Rolling Sharpe, volatility and beta (half a year, or 12 periods)", _graph(ids.rolling)
        ),
        "monthly": _card("Monthly returns", _graph(ids.monthly)),
        "yearly": _card("Yearly returns against the benchmark", _graph(ids.yearly)),
        "distribution": _card("Return distribution", _graph(ids.distribution)),
        "quantiles": _card("Return quantiles", html.Div(id=ids.quantiles)),
        "comparison": _card("Live against backtest", html.Div(id=ids.comparison)),
        "metrics": _card("Metrics: backtest, paper and live", html.Div(id=ids.metrics), "col-12"),
        "trades": _card("Trades", trades_grid(), "col-12"),
    }
    shown = [name for name in order if name in cards]
    hidden = [name for name in cards if name not in shown]
    return [
        html.Div(cards[name][0], className=cards[name][1] + (" d-none" if name in hidden else ""))
        for name in shown + hidden
    ]


def controls(
    range_: str, start: str | None, end: str | None, log: bool, source: str, sources: list[str]
) -> html.Div:
    """Date presets, a custom range, the log-scale toggle and the source shown."""
    return html.Div(
        [
            dcc.RadioItems(
                id=ids.preset,
                options=[*reads.PRESETS, "Custom"],
                value=range_,
                inline=True,
                className="sw-presets me-3",
                inputClassName="btn-check",
                labelClassName="btn btn-sm btn-outline-secondary me-1",
            ),
            dcc.DatePickerRange(id=ids.dates, start_date=start, end_date=end, className="me-3"),
            dcc.Checklist(
                id=ids.log,
                options=[{"label": " Log scale", "value": "log"}],
                value=["log"] if log else [],
                persistence=True,  # kept in this browser unless a link sets it
                persistence_type="local",
                className="me-3",
            ),
            dcc.RadioItems(
                id=ids.source,
                options=[{"label": f" {s.title()}", "value": s} for s in sources],
                value=source,
                inline=True,
                labelClassName="me-2",
            ),
        ],
        className="d-flex flex-wrap align-items-center mb-3",
    )


def layout(
    slug: str | None = None,
    range: str | None = None,
    start: str | None = None,
    end: str | None = None,
    log: str | None = None,
    source: str = "",
    **_query: str,
) -> html.Div:
    """The tearsheet of one strategy (filled by callbacks.strategy); not found if hidden."""
    strategy = reads.strategy(slug) if slug else None
    if not can_see(strategy, current_principal()):
        return html.Div(
            [
                html.H1("Strategy not found", className="h4"),
                html.P(f"There is no strategy {slug!r} you can see.", className="sw-caption"),
                dcc.Link("Back to the overview", href="/"),
            ],
            className="sw-card",
        )
    prefs = preferences.current()
    preset = range if range in [*reads.PRESETS, "Custom"] else prefs["date_range"]
    stored = reads.series_extents(int(strategy["id"]))["source"].tolist()
    primary = next((s for s in reversed(SOURCES) if s in stored), "")
    return html.Div(
        [
            dcc.Store(id=ids.slug, data=slug),
            dcc.Store(id=ids.query_keys, data=QUERY_KEYS),
            dcc.Store(id=ids.query),
            html.Div(
                [
                    html.H1(str(strategy["name"]), className="h4 mb-0 me-2"),
                    stage_badge(str(strategy["stage"])),
                ],
                className="d-flex align-items-center mb-1",
            ),
            html.P(str(strategy.get("description") or ""), className="sw-caption"),
            account_summary(reads.strategy_account(int(strategy["id"]))),
            controls(
                preset,
                start,
                end,
                log in ("1", "log"),
                source if source in stored else primary,
                stored,
            ),
            html.Div(id=ids.banner, **{"aria-live": "polite"}),
            html.Div(
                panels(prefs["panels"]),
                className="row",
            ),
        ]
    )


def account_summary(account: dict | None) -> html.Div | None:
    """The broker account a paper or live strategy trades in, as last synced.

    A strategy owning its account shows the account's equity, cash and positions. One sharing an
    account shows only the account's status: the rest belongs to every strategy in it (and to
    teams its viewers may not be in); its own equity is rebuilt from its fills.
    """
    if account is None:
        return None
    kind = "paper" if account["paper"] else "live"
    status = account["status"] or "not synced yet"
    facts: list = [f"{account['provider'].capitalize()} {kind} account {account['label']}"]
    if account["account_number"]:
        facts[0] += f" ({account['account_number']})"
    facts.append(html.Span(status, className="sw-loss" if account["trading_blocked"] else ""))
    if account["trading_blocked"]:
        facts.append(html.Span("trading blocked", className="sw-loss"))
    owner = account["order_prefix"] == ""
    if owner:
        facts += [f"equity {_money(account['equity'])}", f"cash {_money(account['cash'])}"]
    else:
        facts.append(f"orders with client ids starting {account['order_prefix']!r}")
        capital = account["capital"]
        facts.append(
            f"capital {_money(capital)}, equity rebuilt from its fills"
            if capital
            else "no capital set: fills only, no equity"
        )
    children: list = [html.Span(joined(facts))]
    positions = account["positions"]
    if owner:
        frame = pd.DataFrame(
            positions, columns=["symbol", "quantity", "market_value", "unrealized_pnl"]
        ).rename(columns={"market_value": "market value", "unrealized_pnl": "unrealized P&L"})
        money = {"market value": ",.2f", "unrealized P&L": "+,.2f", "quantity": ",g"}
        body = frame_table(frame, money) if positions else html.P("No open positions.")
        children.append(
            html.Details([html.Summary(f"{len(positions)} open positions"), body], className="mt-1")
        )
    return html.Div(children, className="sw-caption sw-account mb-2", id="strategy-account")


def _money(value: float | None) -> str:
    return "–" if value is None else f"${value:,.2f}"


def trades_grid() -> dag.AgGrid:
    """The strategy's trades, sortable and filterable (rows filled by the callback)."""
    return dag.AgGrid(
        id=ids.trades,
        columnDefs=[{"field": c, "sortable": True, "filter": True} for c in TRADE_COLUMNS],
        rowData=[],
        defaultColDef={"resizable": True, "flex": 1, "minWidth": 90},
        dashGridOptions={"pagination": True, "paginationPageSize": 20},
        className="sw-grid",
    )
