"""Small pure parts: tokens in step with their CSS, bucketing widths, period returns, page layouts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app import tokens
from callbacks.overview import filter_book
from data.bucketing import bucket_width
from data.summary import period_returns, sparkline
from pages import not_found_404, overview


def test_tokens_css_is_generated_from_the_python_tokens() -> None:
    assert tokens.CSS_FILE.read_text() == tokens.render_css()
    css = tokens.render_css()
    for name in [
        "colors.semantic.profit",
        "typography.semantic.price_large",
        "spacing.semantic.2xl",
        "effects.semantic_transitions.normal",
        "colors.financial.status_indicators.failed_strategy",
    ]:
        assert tokens.css_name(name) + ":" in css
    assert tokens.token("colors.semantic.profit", "dark") != tokens.token("colors.semantic.profit")


@pytest.mark.parametrize(
    ("days", "points", "width"),
    [
        (10, 100, 4 * 3600),
        (300, 100, 7 * 86400),
        (3500, 200, 30 * 86400),
        (1, 1440, 60),
        (3650, 100, 60 * 86400),
    ],
)
def test_bucket_width_is_the_smallest_nice_width_that_fits(
    days: float, points: int, width: int
) -> None:
    start = pd.Timestamp("2020-01-01", tz="UTC")
    got = bucket_width(start, start + pd.Timedelta(days=days), points)
    assert got == width
    assert days * 86400 / got <= points


def test_period_returns_compound_within_each_strategys_own_periods() -> None:
    index = pd.to_datetime(
        ["2024-12-30", "2024-12-31", "2025-01-02", "2025-02-03", "2025-02-04"], utc=True
    )
    returns = pd.DataFrame(
        {"a": [0.10, 0.10, 0.10, 0.10, -0.05], "b": [0.01, 0.02, np.nan, np.nan, np.nan]},
        index=index,
    )
    table = period_returns(returns)
    assert table.loc["a", "today"] == pytest.approx(-0.05)
    assert table.loc["a", "mtd"] == pytest.approx(1.10 * 0.95 - 1)
    assert table.loc["a", "ytd"] == pytest.approx(1.10 * 1.10 * 0.95 - 1)
    assert table.loc["b", "last_date"] == index[1]
    assert table.loc["b", "ytd"] == pytest.approx(1.01 * 1.02 - 1)  # its own year: 2024


def test_sparkline_keeps_the_last_point_and_rebases() -> None:
    equity = pd.Series(np.linspace(100, 200, 500))
    line = sparkline(equity, points=50)
    assert line[0] == 1.0 and line[-1] == pytest.approx(2.0, rel=1e-4)
    assert 40 <= len(line) <= 60
    assert sparkline(pd.Series([np.nan])) == []


def test_page_layouts_build_with_and_without_query_arguments() -> None:
    for module in (overview, not_found_404):
        assert module.layout() is not None
    assert overview.layout(stage="live", q="carry", other="ignored") is not None


def test_filter_book_by_stage_and_text() -> None:
    book = pd.DataFrame(
        {
            "name": ["Atlas Momentum", "Ember Carry"],
            "style": ["momentum", "carry"],
            "tags": [["demo"], ["demo", "diverging"]],
            "stage": ["live", "paper"],
        }
    )
    assert filter_book(book, ["paper"], "")["name"].tolist() == ["Ember Carry"]
    assert filter_book(book, [], "DIVERG")["name"].tolist() == ["Ember Carry"]
    assert filter_book(book, [], "")["name"].tolist() == ["Atlas Momentum", "Ember Carry"]
