"""Tearsheet, compare and settings callbacks called directly, inside a request of the session's real
app, as a given principal (the overview's are in test_overview_callbacks)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import html, no_update
from flask import g

from app import components, divergence, reads
from app import preferences as app_preferences
from callbacks import compare as compare_cb
from callbacks import overview as ov
from callbacks import settings as settings_cb
from callbacks import strategy as cb
from data.metrics import METRICS
from data.preferences import PANELS
from data.schema import Role
from data.users import Principal

SLUG = "atlas-momentum"
COLUMNS_AT = {name: i for i, (name, _key) in enumerate(ov.COLUMNS)}


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
    choose = cb.choose_custom_range.__wrapped__  # the callback without its role check
    assert choose("2025-01-01", None) == "Custom"
    assert choose(None, None) == "All"


def test_sparkline_and_relative_change_are_text_coloured_by_sign() -> None:
    up = components.sparkline([1.0, 0.9, 1.2, 1.3])
    assert up.className.endswith("sw-profit") and up.children == "▃▁▆█"
    assert components.sparkline([1.0]).children == "–"
    # one absurd or missing point (an old store, a bad feed) must not break the overview's row
    odd = components.sparkline([1e-300, float("nan"), 1e300, float("inf"), 2e300])
    assert len(odd.children) == 3 and odd.children[-1] == "█"
    assert components.sparkline([-1e308, 1e308]).children == "▁█"
    assert components.relative_change(0.0123).children == "▲ +1.23%"
    assert "sw-loss" in components.relative_change(-0.02).className
    assert components.relative_change(None).children == "–"


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
        frame = compare_cb.comparison_returns(
            [SLUG, "no-such"], ["SPY", "60/40", '<a href="https://evil.example">x</a>'], "1Y"
        )
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


def test_a_settings_form_posting_what_is_saved_writes_nothing(web) -> None:
    """Dash fires the save as the page appears, with the saved values: no write, no audit entry."""
    from sqlalchemy import func, select

    from data.schema import AuditEntry

    def saves() -> int:
        with web.store.reading() as session:
            query = select(func.count()).where(AuditEntry.action == "preferences-saved")
            return session.scalar(query)

    with acting(web):
        now = app_preferences.current()
        before, versions = saves(), dict(web.store.clock.versions())
        said = settings_cb.save_settings(
            now["theme"], now["benchmarks"], now["date_range"], now["panels"], now["decimals"],
            [k for k in ("alerts_in_app", "alerts_email") if now[k]], now["alert_severity"],
        )  # fmt: skip
    assert said == ("", no_update)  # no "Saved." for what was already saved
    assert saves() == before
    assert {k: v for k, v in web.store.clock.versions().items() if k.startswith("prefs")} == {
        k: v for k, v in versions.items() if k.startswith("prefs")
    }
