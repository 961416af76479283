"""Figure builders: pure functions of frames, styled from the design tokens."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app import figures
from app.tokens import token

DAYS = pd.bdate_range("2020-01-01", periods=800, tz="UTC")


@pytest.fixture
def returns() -> pd.Series:
    rng = np.random.default_rng(3)
    return pd.Series(rng.normal(0.0004, 0.01, len(DAYS)), index=DAYS, name="ret")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_template_takes_every_colour_from_the_tokens(theme) -> None:
    layout = figures.template(theme).layout
    assert layout.paper_bgcolor == token("colors.surface.card", theme)
    assert layout.font.color == token("colors.text.primary", theme)
    assert layout.colorway[0] == token(figures.LINE, theme)


def test_thin_keeps_both_ends_and_bounds_the_points() -> None:
    series = pd.Series(np.arange(10_001.0))
    thinned = figures.thin(series, 1000)
    assert len(thinned) <= 1001 and thinned.iloc[0] == 0 and thinned.iloc[-1] == 10_000
    assert figures.thin(series.iloc[:10], 1000).equals(series.iloc[:10])


def test_equity_rebases_every_line_to_one_and_toggles_log(returns) -> None:
    equity = 100 * (1 + returns).cumprod()
    spy = pd.Series(np.linspace(300, 400, len(DAYS)), index=DAYS)
    fig = figures.equity_figure(equity, {"S&P 500": spy}, log=True)
    assert [t.name for t in fig.data] == ["Strategy", "S&P 500"]
    assert all(t.y[0] == pytest.approx(1.0) for t in fig.data)
    assert fig.data[1].y[-1] == pytest.approx(400 / 300)
    assert fig.layout.yaxis.type == "log"
    assert figures.equity_figure(equity, {}, log=False).layout.yaxis.type == "linear"


def test_equity_of_nothing_is_an_empty_figure() -> None:
    assert figures.equity_figure(pd.Series(dtype=float), {}).data == ()


def test_drawdown_is_filled_in_the_loss_colour() -> None:
    dd = pd.Series([0.0, -0.1, -0.05, 0.0], index=DAYS[:4])
    trace = figures.drawdown_figure(dd, "dark").data[0]
    assert trace.fill == "tozeroy" and trace.line.color == token("colors.semantic.loss", "dark")
    assert list(trace.y) == [0.0, -0.1, -0.05, 0.0]


def test_rolling_has_one_panel_per_statistic(returns) -> None:
    fig = figures.rolling_figure({"Sharpe": returns, "Volatility": returns.abs()})
    assert [t.yaxis for t in fig.data] == ["y", "y2"]
    assert [a.text for a in fig.layout.annotations] == ["Sharpe", "Volatility"]


def test_monthly_heatmap_is_centred_on_zero_and_labelled() -> None:
    table = pd.DataFrame(
        [[0.02] + [np.nan] * 11 + [0.02], [-0.05] + [0.01] * 11 + [0.06]],
        index=[2023, 2024],
        columns=[*range(1, 13), "year"],
    )
    heat = figures.monthly_heatmap(table).data[0]
    assert heat.zmid == 0 and heat.zmin == -0.05 and heat.zmax == 0.05
    assert heat.text[0][0] == "2.0%" and heat.text[0][1] == "" and list(heat.y) == ["2023", "2024"]
    assert heat.colorscale[0][1] == token("colors.semantic.loss")


def test_yearly_groups_strategy_and_benchmark_bars() -> None:
    yearly = pd.DataFrame({"Strategy": [0.1, -0.02], "Benchmark": [0.05, 0.03]}, index=[2023, 2024])
    fig = figures.yearly_figure(yearly)
    assert fig.layout.barmode == "group" and [t.name for t in fig.data] == ["Strategy", "Benchmark"]
    assert list(fig.data[0].x) == ["2023", "2024"]


def test_distribution_overlays_a_normal_of_the_same_moments(returns) -> None:
    hist, normal = figures.distribution_figure(returns).data
    assert hist.histnorm == "probability density" and normal.name == "Normal"
    peak = 1 / (returns.std() * np.sqrt(2 * np.pi))
    assert max(normal.y) == pytest.approx(peak, rel=0.02)


def test_comparison_rebases_on_the_first_common_date() -> None:
    a = pd.Series([1.0, 2.0, 4.0], index=DAYS[:3])
    b = pd.Series([5.0, 10.0], index=DAYS[1:3])
    fig = figures.comparison_figure({"A": a, "B": b})
    assert [list(t.y) for t in fig.data] == [[1.0, 2.0], [1.0, 2.0]]


def test_correlation_matrix_is_annotated() -> None:
    corr = pd.DataFrame([[1.0, 0.25], [0.25, 1.0]], index=["A", "B"], columns=["A", "B"])
    heat = figures.correlation_figure(corr).data[0]
    assert heat.text[0][1] == "0.25" and heat.zmin == -1
