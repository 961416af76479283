"""Callbacks called directly, inside a request of the session's real app, as a given principal."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import html, no_update
from flask import g

from app import components, divergence, reads
from app import preferences as app_preferences
from app.cache import cache
from app.warming import warmer
from callbacks import compare as compare_cb
from callbacks import overview as ov
from callbacks import settings as settings_cb
from callbacks import strategy as cb
from data.metrics import METRICS
from data.preferences import PANELS
from data.schema import Role
from data.users import Principal
from tests.security.test_auth import new_client, sign_in

SLUG = "atlas-momentum"
COLUMNS_AT = {name: i for i, name in enumerate(ov.COLUMNS)}


@contextmanager
def acting(web, role: Role = Role.ANALYST, teams: frozenset[int] = frozenset()) -> Iterator[None]:
    with web.app.server.test_request_context("/"):
        g.principal = Principal(1, f"{role.value}@example.com", role, 1, teams)
        yield


def test_resolve_range_counts_presets_back_from_the_last_date() -> None:
    last = pd.Timestamp("2026-11-20", tz="UTC")
    assert cb.resolve_range("1Y", None, None, last) == (pd.Timestamp("2025-11-20", tz="UTC"), None)
    assert cb.resolve_range("YTD", None, None, last)[0] == pd.Timestamp("2026-01-01", tz="UTC")
    assert cb.resolve_range("All", None, None, last) == (None, None)
    lo, hi = cb.resolve_range("Custom", "2026-01-05", "2026-02-01", last)
    assert lo == pd.Timestamp("2026-01-05", tz="UTC") and hi.date().isoformat() == "2026-02-01"
    with pytest.raises(ValueError, match="start date"):
        cb.resolve_range("Custom", "2026-03-01", "2026-02-01", last)


def test_tearsheet_draws_every_panel_for_the_range(web) -> None:
    with acting(web):
        *drawn, banner = cb.update_tearsheet(SLUG, "1Y", None, None, ["log"], "backtest")
    equity, drawdown, top, rolling, monthly, yearly, dist, quantiles, metrics, trades = drawn
    assert isinstance(metrics, html.Table)
    assert banner is None
    assert all(isinstance(f, go.Figure) for f in (equity, drawdown, rolling, monthly, yearly, dist))
    assert [t.name for t in equity.data] == [
        "Strategy",
        "S&P 500 (SPY)",
        "US aggregate bonds (AGG)",
    ]
    assert equity.layout.yaxis.type == "log"
    span = pd.Timestamp(equity.data[0].x[-1]) - pd.Timestamp(equity.data[0].x[0])
    assert pd.Timedelta(days=330) < span <= pd.Timedelta(days=366)
    assert isinstance(top, html.Table) and isinstance(quantiles, html.Table)
    assert trades and {"symbol", "pnl", "ts"} <= set(trades[0])


def test_benchmark_lines_are_daily_over_the_strategys_own_dates(web) -> None:
    with acting(web):
        *drawn, _banner = cb.update_tearsheet(SLUG, "All", None, None, [], "live")
    strategy, spy, _bonds = drawn[0].data
    assert pd.Timestamp(spy.x[0]) >= pd.Timestamp(strategy.x[0]) - pd.Timedelta(days=4)
    assert abs(len(spy.x) - len(strategy.x)) <= 5  # one close a session, not a bucketed decade


def test_metrics_table_renders_registry_labels_with_their_definitions(web) -> None:
    with acting(web):
        sheet = cb.load_tearsheet(SLUG, "All", None, None, None)
    assert list(sheet.metrics.columns) == ["backtest", "paper", "live"]
    table = cb.metrics_table(sheet.metrics)
    terms = [
        row.children[0].children for row in table.children[1].children if len(row.children) > 1
    ]
    sharpe = next(t for t in terms if t.children == METRICS["sharpe"].label)
    assert sharpe.title == METRICS["sharpe"].definition
    assert len(terms) == len(sheet.metrics.index)


def test_a_preset_changes_the_range_read(web) -> None:
    with acting(web):
        short = cb.load_tearsheet(SLUG, "1M", None, None, "backtest")
        full = cb.load_tearsheet(SLUG, "All", None, None, "backtest")
    assert short.source == full.source == "backtest"
    assert 15 <= len(short.returns) <= 24 < 1000 < len(full.returns)


def test_hidden_or_unknown_strategies_are_not_found(web) -> None:
    with acting(web, Role.VIEWER):
        *drawn, banner = cb.update_tearsheet("no-such-strategy", "1Y", None, None, [], "")
        comparison = cb.update_comparison("no-such-strategy")
    assert all(d is no_update for d in drawn) and "No performance" in str(banner)
    assert "No strategy" in str(comparison)


def test_bad_custom_range_is_a_banner_not_a_traceback(web) -> None:
    with acting(web):
        *_drawn, banner = cb.update_tearsheet(SLUG, "Custom", "2026-05-01", "2026-01-01", [], "")
    assert "not valid" in str(banner)


def test_comparison_shows_the_verdict_and_p_values(web) -> None:
    with acting(web):
        result = divergence.comparison(int(reads.strategy(SLUG)["id"]))
        shown = repr(cb.update_comparison(SLUG))
    text = repr(cb.comparison_panel(result))  # the live feed may move the data between reads
    assert result["verdict"] in {"consistent", "watch", "diverging"}
    assert "sw-verdict-" in shown and "p value" in shown
    assert f"sw-verdict-{result['verdict']}" in text
    welch = next(t for t in result["tests"] if t["name"] == "welch_t")
    assert f"Td('{welch['p_value']:.4f}')" in text, text


def test_custom_dates_switch_the_preset() -> None:
    assert cb.choose_custom_range("2025-01-01", None) == "Custom"
    assert cb.choose_custom_range(None, None) == "All"


def book() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["beta", "Alpha", "gamma"],
            "style": ["trend", "carry", "macro"],
            "stage": ["live", "paper", "live"],
            "tags": [["demo", "trend"], ["demo"], ["diverging"]],
            "sharpe": [0.5, None, 1.5],
        }
    )


def test_overview_filters_by_stage_tag_and_text() -> None:
    assert list(ov.filter_book(book(), ["live"], "")["name"]) == ["beta", "gamma"]
    assert list(ov.filter_book(book(), [], "", ["trend", "diverging"])["name"]) == ["beta", "gamma"]
    assert list(ov.filter_book(book(), [], "CARRY")["name"]) == ["Alpha"]


def test_overview_sorts_by_name_or_best_number_first() -> None:
    assert list(ov.sort_book(book(), "name")["name"]) == ["Alpha", "beta", "gamma"]
    assert list(ov.sort_book(book(), "sharpe")["name"]) == ["gamma", "beta", "Alpha"]


def test_sparkline_and_relative_change_are_text_coloured_by_sign() -> None:
    up = components.sparkline([1.0, 0.9, 1.2, 1.3])
    assert up.className.endswith("sw-profit") and up.children == "▃▁▆█"
    assert components.sparkline([1.0]).children == "–"
    assert components.relative_change(0.0123).children == "▲ +1.23%"
    assert "sw-loss" in components.relative_change(-0.02).className
    assert components.relative_change(None).children == "–"


def verdicts_shown(table: html.Table) -> dict[str, str]:
    """Strategy name -> the text of its verdict cell."""
    rows = table.children[1].children
    at = COLUMNS_AT["Verdict"]
    return {row.children[0].children.children: row.children[at].children.children for row in rows}


def test_overview_table_shows_registry_numbers_and_a_verdict_cell_per_row(web) -> None:
    with acting(web):
        table, digest = ov.update_overview_table([], "", [], "name", 0)
        research = reads.strategies().query("stage == 'research'")["name"]
    rows = table.children[1].children
    assert len(rows) >= 24 and len(rows[0].children) == len(ov.COLUMNS)
    assert digest
    shown = verdicts_shown(table)
    assert shown["Atlas Momentum"] in {"consistent", "watch", "diverging", "computing…"}
    assert {shown[name] for name in research} == {"–"}  # nothing to compare yet


def test_overview_verdicts_are_computed_in_the_background(web) -> None:
    with acting(web):
        cache.clear()
        first, _ = ov.update_overview_table([], "", [], "name", 0)  # queues every verdict
    assert "computing…" in set(verdicts_shown(first).values()) and warmer.pending() > 0
    deadline = time.monotonic() + 120
    while warmer.pending() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert warmer.pending() == 0, "the background verdicts took over 2 minutes"
    with acting(web):
        table, _digest = ov.update_overview_table([], "", [], "name", 0)
        quiet = ["backtest", "research"]  # the live feed of the shared app never touches these
        _, digest = ov.update_overview_table(quiet, "", [], "name", 0)
        again = ov.update_overview_table(quiet, "", [], "name", 1, digest)
    shown = set(verdicts_shown(table).values())
    assert "computing…" not in shown
    assert {"consistent", "diverging"} <= shown  # the demo book has both kinds
    assert again == (no_update, no_update)  # a tick with nothing new redraws nothing


def test_settings_save_valid_changes_and_explain_invalid_ones(web) -> None:
    form = ("dark", ["SPY"], "3Y", ["equity", "metrics"], 2, ["alerts_in_app"], "warning")
    with acting(web):
        status, theme = settings_cb.save_settings(*form)
        assert "Saved." in repr(status) and theme == "dark"
        assert app_preferences.current()["panels"] == ["equity", "metrics"]
        refused, unchanged = settings_cb.save_settings(*form[:4], None, *form[5:])
        assert "decimals" in repr(refused) and unchanged is no_update
        empty, _ = settings_cb.save_settings("dark", [], "3Y", [], 2, [], "warning")
        assert "benchmarks" in repr(empty) and "panels" in repr(empty)
        settings_cb.save_settings("light", ["SPY", "AGG"], "1Y", list(PANELS), 2, [], "warning")
    assert settings_cb.settings_changes(*form)["alerts_email"] is False


def test_compare_aligns_strategies_and_benchmarks_including_the_blend(web) -> None:
    with acting(web):
        frame = compare_cb.comparison_returns([SLUG, "no-such"], ["SPY", "60/40"], "1Y")
        chart, relative, metrics, corr = compare_cb.update_comparison([SLUG], ["AGG", "SPY"], "3M")
    assert list(frame.columns) == ["Atlas Momentum", "SPY", "60/40"]
    assert (frame.index.max() - frame.index.min()).days <= 366
    assert [t.name for t in chart.data] == ["Atlas Momentum", "AGG", "SPY"]
    assert "Atlas Momentum vs AGG" in repr(relative) and "SPY vs AGG" in repr(relative)
    assert METRICS["sharpe"].label in repr(metrics)
    assert list(corr.data[0].x) == ["Atlas Momentum", "AGG", "SPY"]


def test_compare_with_nothing_chosen_says_so(web) -> None:
    with acting(web):
        _chart, relative, _metrics, _corr = compare_cb.update_comparison([], [], "1Y")
    assert "Choose strategies" in repr(relative)


def test_the_number_format_preference_reaches_every_table(web) -> None:
    def sharpe_cells(table: html.Table) -> list[str]:
        rows = [r for r in table.children[1].children if isinstance(r.children, list)]
        label = METRICS["sharpe"].label
        return [r.children[1].children for r in rows if r.children[0].children.children == label]

    with acting(web):
        app_preferences.update(1, {"decimals": 4})
        try:
            overview, _digest = ov.update_overview_table([], "", [], "name", 0)
            *drawn, _banner = cb.update_tearsheet(SLUG, "1Y", None, None, [], "backtest")
            _chart, relative, compared, _corr = compare_cb.update_comparison([SLUG], ["SPY"], "1Y")
        finally:
            app_preferences.update(1, {"decimals": 2})
    first = next(  # other tests add strategies without data: read a known one
        row.children
        for row in overview.children[1].children
        if row.children[0].children.children == "Atlas Momentum"
    )
    assert re.fullmatch(r"-?\d+\.\d{4}", first[COLUMNS_AT["Sharpe"]].children)
    assert re.search(r"\d\.\d{4}%", first[COLUMNS_AT["Today"]].children.children)
    for cells in (sharpe_cells(drawn[8]), sharpe_cells(compared)):
        assert cells and all(re.fullmatch(r"-?\d+\.\d{4}", c) for c in cells)
    assert re.search(r"[▲▼] [+-]\d+\.\d{4}%", repr(relative))


def test_changing_the_sort_on_a_shared_link_saves_only_the_sort(web) -> None:
    client = new_client(web)
    assert sign_in(client, web.emails[Role.TRADER]).status_code == 302
    payload = {
        "output": "overview-saved.data",
        "outputs": {"id": "overview-saved", "property": "data"},
        "inputs": [
            {"id": "overview-tag", "property": "value", "value": ["trend"]},  # from the link
            {"id": "overview-sort", "property": "value", "value": "sharpe"},
        ],
        "changedPropIds": ["overview-sort.value"],
    }
    try:
        assert client.post("/_dash-update-component", json=payload).status_code == 200
        saved = client.get("/api/v1/preferences").get_json()["preferences"]
        assert saved["overview_sort"] == "sharpe" and saved["overview_tags"] == []
    finally:
        assert client.put("/api/v1/preferences", json={"overview_sort": "name"}).status_code == 200


def test_a_failing_background_read_is_not_retried_at_once(web) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    with web.app.server.app_context():
        warmer.submit("test:broken", broken)
        deadline = time.monotonic() + 30
        while not warmer.failed("test:broken") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert warmer.failed("test:broken")
        warmer.submit("test:broken", broken)  # refused: it failed moments ago
        assert warmer.pending("test:broken") == 0
